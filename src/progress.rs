//! The command line's one rule for progress: a bar on standard error when that is a
//! terminal (what is done of how many, breaks so far where the command counts them, the
//! rate and the time left), and nothing of it otherwise, so no log, pipe or file ever
//! holds a bar. `run`, `bench` and `replay` count devices through the line; `sweep`
//! counts seeds.

use std::io::{IsTerminal, Write};

pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// A bar over `total` `things` ("devices", "seeds"); with `breaks`, it shows how
    /// many broke a claim so far.
    pub fn new(total: u64, things: &str, breaks: bool) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total);
            let broken = if breaks { ", {msg}" } else { "" };
            let template =
                format!("{{bar:30}} {{pos}}/{{len}} {things}{broken}, {{per_sec}}, {{eta}} left");
            if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
                bar.set_style(style);
            }
            if breaks {
                bar.set_message("0 broken");
            }
            bar
        });
        Progress { bar }
    }

    /// Nothing shown, whatever standard error is.
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// One more done; `broken`, when the bar counts breaks, is how many so far.
    pub fn tick(&self, broken: Option<usize>) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            if let Some(broken) = broken {
                bar.set_message(format!("{broken} broken"));
            }
        }
    }

    /// Clears the bar, leaving standard error as it was.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let _ = std::io::stderr().flush();
    }
}
