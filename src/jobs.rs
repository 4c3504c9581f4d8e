//! `--jobs` at the command line: how many, and what the run says about them.

/// `--jobs` as given, else the machine's cores.
pub fn jobs_or_cores(jobs: Option<u16>) -> usize {
    jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    )
}

/// How the jobs shared the devices (the line's own thread first, then each worker
/// ahead of it), and how many of the line's curve operations a worker had ready. Both
/// follow the threads' timing, so `run` prints this on standard error.
pub fn jobs_line(jobs: &provsim_scenarios::JobsInfo) -> String {
    let shares: Vec<String> = jobs.devices_by_job.iter().map(u64::to_string).collect();
    format!(
        "provsim: {} jobs worked out {} device(s) (the line's thread, then each worker ahead of it); {} of the workers' devices' {} curve operations were ready\n",
        jobs.devices_by_job.len(),
        shares.join(" + "),
        jobs.ready,
        jobs.ready + jobs.computed
    )
}
