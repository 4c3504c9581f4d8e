//! The one function from effort to attack potential.

use super::counts::{Access, Bench, Effort, Needs};
use super::rates::{seconds_per_unit, step_hours, step_needs_access, step_samples};
use crate::potential::{
    AttackPotential, ElapsedTime, Equipment, Expertise, KnowledgeOfToe, Reasons,
    WindowOfOpportunity,
};
use provsim_devices::TargetKind;
use provsim_devices::fault::GlitchMethod;

const DAY: f64 = 24.0;
const MONTH: f64 = 30.0 * DAY;

/// Rates what an attempt spent against a target kind: every factor from the counts,
/// each with a one-line reason.
pub fn rate(effort: &Effort, target: TargetKind) -> AttackPotential {
    let hours = hours(effort);
    let (elapsed, elapsed_why) = elapsed(effort, hours);
    let (expertise, expertise_why) = expertise(effort);
    let (knowledge, knowledge_why) = knowledge(effort, target);
    let (window, window_why) = window(effort, hours);
    let (equipment, equipment_why) = equipment(effort.bench);
    AttackPotential {
        elapsed,
        expertise,
        knowledge,
        window,
        equipment,
        reasons: Reasons {
            elapsed: elapsed_why,
            expertise: expertise_why,
            knowledge: knowledge_why,
            window: window_why,
            equipment: equipment_why,
        },
        rationale: effort.to_string(),
    }
}

/// Hours on the bench: every step's duration plus the count at the bench's rate.
fn hours(effort: &Effort) -> f64 {
    let steps: f64 = effort.steps.iter().map(|&s| step_hours(s).0).sum();
    steps + effort.count as f64 * seconds_per_unit(effort.bench).0 / 3600.0
}

fn elapsed(effort: &Effort, hours: f64) -> (ElapsedTime, String) {
    let band = if hours <= DAY {
        ElapsedTime::OneDay
    } else if hours <= 7.0 * DAY {
        ElapsedTime::OneWeek
    } else if hours <= 14.0 * DAY {
        ElapsedTime::TwoWeeks
    } else if hours <= MONTH {
        ElapsedTime::OneMonth
    } else {
        let months = (hours / MONTH).ceil();
        match months as u32 {
            0..=2 => ElapsedTime::TwoMonths,
            3 => ElapsedTime::ThreeMonths,
            4 => ElapsedTime::FourMonths,
            5 => ElapsedTime::FiveMonths,
            6 => ElapsedTime::SixMonths,
            _ => ElapsedTime::MoreThanSixMonths,
        }
    };
    let (per_unit, _) = seconds_per_unit(effort.bench);
    let pace = if per_unit < 1.0 {
        format!("{:.0}/s", 1.0 / per_unit)
    } else {
        format!("{per_unit:.0} s each")
    };
    let steps: Vec<String> = effort
        .steps
        .iter()
        .map(|&s| format!("{} {} h", s.name(), step_hours(s).0))
        .collect();
    let steps = if steps.is_empty() {
        String::new()
    } else {
        format!(", plus {}", steps.join(", "))
    };
    (
        band,
        format!(
            "{hours:.1} h: {} {} at {pace}{steps}",
            effort.count,
            effort.bench.unit()
        ),
    )
}

fn expertise(effort: &Effort) -> (Expertise, String) {
    let laser = effort.bench == Bench::Glitcher(GlitchMethod::Laser);
    if laser && effort.faults >= 2 {
        return (
            Expertise::MultipleExperts,
            "preparing dies for a laser and combining two faults are distinct expert fields"
                .to_owned(),
        );
    }
    if effort.order >= 2 {
        return (
            Expertise::Expert,
            format!(
                "order-{} analysis of a masked design needs an expert in side channels",
                effort.order
            ),
        );
    }
    if effort.faults >= 2 {
        return (
            Expertise::Expert,
            "a double fault on a duplicated check needs an expert in fault attacks".to_owned(),
        );
    }
    if laser {
        return (
            Expertise::Expert,
            "die preparation and laser fault injection need an expert".to_owned(),
        );
    }
    if effort.bench == Bench::MicroProbe {
        return (
            Expertise::Expert,
            "FIB editing and microprobing need an expert in invasive attacks".to_owned(),
        );
    }
    if effort.bench == Bench::CoTenantVm {
        return (
            Expertise::Expert,
            "adapting a cross-VM disclosure technique needs an expert in virtualisation".to_owned(),
        );
    }
    let why = match (effort.order, effort.faults) {
        (1, _) => "first-order CPA with published tooling",
        (_, 1) => "single glitches with a published rig and its tutorials",
        _ => "familiar with how parts of this type are used and protected",
    };
    (Expertise::Proficient, why.to_owned())
}

fn knowledge(effort: &Effort, target: TargetKind) -> (KnowledgeOfToe, String) {
    match effort.needs {
        Needs::Public => (
            KnowledgeOfToe::Public,
            "published formats and tools only".to_owned(),
        ),
        Needs::TargetDocumentation => {
            let documentation = target.profile().attack_facts.documentation;
            (
                documentation.into(),
                format!(
                    "the {} kind's documentation, which is {documentation:?}",
                    target.profile().name
                )
                .to_lowercase(),
            )
        }
        Needs::SiteRestricted => (
            KnowledgeOfToe::Restricted,
            "what the provisioner tells its operators and customers, under its control".to_owned(),
        ),
    }
}

/// CEM B.4: easy is under a day and fewer than 10 samples; moderate under a month and
/// fewer than 100; difficult beyond. Inside a provisioning site access is controlled,
/// so it is never easier than moderate.
fn window(effort: &Effort, hours: f64) -> (WindowOfOpportunity, String) {
    let spent: u32 = effort.steps.iter().map(|&s| step_samples(s)).sum();
    match effort.access {
        Access::FieldSamples(parts) => {
            let samples = parts + spent;
            let window = if hours < DAY && samples < 10 {
                WindowOfOpportunity::Easy
            } else if hours < MONTH && samples < 100 {
                WindowOfOpportunity::Moderate
            } else {
                WindowOfOpportunity::Difficult
            };
            (
                window,
                format!("{samples} part(s) from the field, {hours:.1} h on the bench"),
            )
        }
        Access::Site => {
            let away: f64 = effort
                .steps
                .iter()
                .filter(|&&s| !step_needs_access(s))
                .map(|&s| step_hours(s).0)
                .sum();
            let hours = (hours - away).max(0.0);
            let window = if hours < MONTH {
                WindowOfOpportunity::Moderate
            } else {
                WindowOfOpportunity::Difficult
            };
            (
                window,
                format!(
                    "{hours:.1} h of presence inside a controlled site (the provisioning \
                     line, or the board assembler's floor where the station stands)"
                ),
            )
        }
    }
}

fn equipment(bench: Bench) -> (Equipment, String) {
    let equipment = match bench {
        Bench::DebugProbe
        | Bench::SerialLoader
        | Bench::CoTenantVm
        | Bench::OperatorConsole
        | Bench::CardReader
        | Bench::Programmer
        | Bench::Workstation
        | Bench::NetworkRelay
        | Bench::Station
        | Bench::Pocket
        | Bench::Custodian => Equipment::Standard,
        Bench::Oscilloscope | Bench::Glitcher(GlitchMethod::Voltage | GlitchMethod::Clock) => {
            Equipment::Specialised
        }
        Bench::Glitcher(GlitchMethod::Electromagnetic) => Equipment::Specialised,
        Bench::Glitcher(GlitchMethod::Laser) | Bench::MicroProbe | Bench::CounterfeitPart => {
            Equipment::Bespoke
        }
    };
    let why = match equipment {
        Equipment::Standard => "readily available tools or the site's own equipment",
        Equipment::Specialised => "commercial side-channel or fault-injection equipment",
        _ if bench == Bench::MicroProbe => {
            "a probe station with a FIB: very expensive, or hired by the hour"
        }
        _ if bench == Bench::CounterfeitPart => {
            "a counterfeit with a second die in its package: designed and re-packaged to order"
        }
        _ => "a laser fault bench: very expensive, built or bought to order",
    };
    (equipment, format!("{}: {why}", bench.name()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::effort::counts::Step;

    fn glitch(tries: u64) -> Effort {
        Effort {
            bench: Bench::Glitcher(GlitchMethod::Voltage),
            count: tries,
            order: 0,
            faults: 1,
            points: 1,
            steps: vec![Step::TimeTheCheck],
            needs: Needs::TargetDocumentation,
            access: Access::FieldSamples(1),
        }
    }

    /// Counts alone move the rating: a million tries keep the rig busy for more than a
    /// day, which lengthens the elapsed time and narrows the window.
    #[test]
    fn more_tries_cross_a_band() {
        let few = rate(&glitch(1_000), TargetKind::Mcu);
        let many = rate(&glitch(1_000_000), TargetKind::Mcu);
        assert_eq!(few.total(), Some(8), "{few:?}");
        assert_eq!(many.total(), Some(12), "{many:?}");
        assert_ne!(few.rating(), many.rating());
    }

    #[test]
    fn elapsed_time_bands_follow_the_hours() {
        let at = |hours: f64| {
            let effort = Effort::plain(
                Bench::OperatorConsole,
                (hours * 6.0).round() as u64,
                &[],
                Needs::Public,
                Access::Site,
            );
            elapsed(&effort, super::hours(&effort)).0
        };
        // Requests at the console take ten minutes each: six make an hour, so the edges
        // are exact.
        let edges = [
            (24.0, ElapsedTime::OneDay),
            (24.0 + 1.0 / 6.0, ElapsedTime::OneWeek),
            (168.0, ElapsedTime::OneWeek),
            (168.0 + 1.0 / 6.0, ElapsedTime::TwoWeeks),
            (336.0, ElapsedTime::TwoWeeks),
            (336.0 + 1.0 / 6.0, ElapsedTime::OneMonth),
            (720.0, ElapsedTime::OneMonth),
            (720.0 + 1.0 / 6.0, ElapsedTime::TwoMonths),
            (1440.0, ElapsedTime::TwoMonths),
            (1440.0 + 1.0 / 6.0, ElapsedTime::ThreeMonths),
            (4320.0, ElapsedTime::SixMonths),
            (4320.0 + 1.0 / 6.0, ElapsedTime::MoreThanSixMonths),
        ];
        for (hours, band) in edges {
            assert_eq!(at(hours), band, "{hours} h");
        }
    }

    /// CEM B.4's window: easy under a day and fewer than 10 parts, moderate under a
    /// month and fewer than 100, difficult beyond; inside a site never easier than
    /// moderate.
    #[test]
    fn the_window_follows_the_parts_and_the_hours() {
        let field = |parts: u32, hours: f64| {
            let effort = Effort::plain(
                Bench::OperatorConsole,
                (hours * 6.0).round() as u64,
                &[],
                Needs::Public,
                Access::FieldSamples(parts),
            );
            window(&effort, super::hours(&effort)).0
        };
        assert_eq!(field(1, 23.5), WindowOfOpportunity::Easy);
        assert_eq!(field(1, 24.0), WindowOfOpportunity::Moderate);
        assert_eq!(field(9, 1.0), WindowOfOpportunity::Easy);
        assert_eq!(field(10, 1.0), WindowOfOpportunity::Moderate);
        assert_eq!(field(99, 719.5), WindowOfOpportunity::Moderate);
        assert_eq!(field(100, 1.0), WindowOfOpportunity::Difficult);
        assert_eq!(field(1, 720.0), WindowOfOpportunity::Difficult);
        let site = |hours: f64| {
            let effort = Effort::plain(
                Bench::OperatorConsole,
                (hours * 6.0).round() as u64,
                &[],
                Needs::Public,
                Access::Site,
            );
            window(&effort, super::hours(&effort)).0
        };
        assert_eq!(site(1.0), WindowOfOpportunity::Moderate);
        assert_eq!(site(720.0), WindowOfOpportunity::Difficult);
        // Opening packages spends parts: a laser's preparation counts them.
        let mut laser = glitch(100);
        laser.bench = Bench::Glitcher(GlitchMethod::Laser);
        laser.steps = vec![Step::OpenThePackage];
        assert!(
            rate(&laser, TargetKind::Mcu)
                .reasons
                .window
                .starts_with("5 part(s)")
        );
    }

    #[test]
    fn harder_work_needs_more_expertise_and_equipment() {
        let mut double = glitch(100);
        double.faults = 2;
        assert_eq!(rate(&double, TargetKind::Mcu).expertise, Expertise::Expert);
        let mut laser = double.clone();
        laser.bench = Bench::Glitcher(GlitchMethod::Laser);
        let rated = rate(&laser, TargetKind::Mcu);
        assert_eq!(rated.expertise, Expertise::MultipleExperts);
        assert_eq!(rated.equipment, Equipment::Bespoke);
        assert!(rated.total() > rate(&double, TargetKind::Mcu).total());
    }

    #[test]
    fn every_factor_has_a_reason() {
        let rated = rate(&glitch(37), TargetKind::Se);
        for reason in [
            &rated.reasons.elapsed,
            &rated.reasons.expertise,
            &rated.reasons.knowledge,
            &rated.reasons.window,
            &rated.reasons.equipment,
        ] {
            assert!(!reason.is_empty());
        }
        assert!(
            rated.reasons.elapsed.contains("37 tries"),
            "{:?}",
            rated.reasons
        );
    }
}
