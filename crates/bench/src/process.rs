//! The default benchmark: the `distroflow` binary as a whole process, as a
//! person runs it: `distroflow post --sandbox --to ...` (process start, the
//! sandbox's replicas, Chromium's launch, the jobs, Chromium's close), with
//! no injected latency and the replicas' random delays fixed by a seed
//! (`DISTROFLOW_REPLICA_SEED`), so the slowest single platform is the same
//! platform with the same delay in every run. Against it, the floor: the
//! headless shell launched to load one page and quit (`--dump-dom`).
//!
//! Wall and CPU come from `runs` unsampled runs of each command; memory
//! from `runs` more, sampled (reading every process's `smaps_rollup` costs
//! CPU of its own, which would slow the timed runs). See `tree.rs` for how
//! each figure is taken.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use distroflow_browser::BrowserOptions;
use distroflow_replica::{HackerNews, HnOptions};

use crate::tree::{self, Cost};

pub(crate) struct ProcessArgs {
    pub(crate) runs: usize,
    pub(crate) seed: u64,
    pub(crate) json: bool,
    /// How often memory is sampled.
    pub(crate) every: Duration,
    /// `--pool N`: `[browser] max_concurrency` in the home's config.toml
    /// (`None`: the default, no config file).
    pub(crate) pool: Option<usize>,
}

/// Median, min and max of one figure over the runs.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Spread {
    pub(crate) median: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
}

impl Spread {
    pub(crate) fn of(mut v: Vec<f64>) -> Spread {
        if v.is_empty() {
            return Spread::default();
        }
        v.sort_by(|a, b| a.total_cmp(b));
        let median = if v.len() % 2 == 1 {
            v[v.len() / 2]
        } else {
            (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
        };
        Spread {
            median,
            min: v[0],
            max: v[v.len() - 1],
        }
    }

    pub(crate) fn show(&self, digits: usize) -> String {
        format!(
            "{:.d$} [{:.d$}-{:.d$}]",
            self.median,
            self.min,
            self.max,
            d = digits
        )
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::json!({ "median": self.median, "min": self.min, "max": self.max })
    }

    /// `self / other`: the ratio of medians, and the range from the
    /// smallest to the largest ratio any two runs could give.
    pub(crate) fn over(&self, other: &Spread) -> Spread {
        let d = |x: f64| if x == 0.0 { f64::NAN } else { x };
        Spread {
            median: self.median / d(other.median),
            min: self.min / d(other.max),
            max: self.max / d(other.min),
        }
    }
}

/// One command's figures.
#[derive(Clone, Debug, Default)]
pub(crate) struct Figures {
    pub(crate) label: String,
    pub(crate) wall_ms: Spread,
    pub(crate) cpu_ms: Spread,
    pub(crate) pss_mib: Spread,
    /// The same-instant sum of private memory (USS), which other
    /// processes on the machine cannot move.
    pub(crate) uss_mib: Spread,
    pub(crate) max_procs: usize,
}

impl Figures {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "label": self.label,
            "wall_ms": self.wall_ms.json(),
            "cpu_ms": self.cpu_ms.json(),
            "peak_pss_mib": self.pss_mib.json(),
            "peak_uss_mib": self.uss_mib.json(),
            "max_processes": self.max_procs,
        })
    }

    pub(crate) fn row(&self) -> String {
        format!(
            "  {:<34} {:>20} {:>20} {:>20} {:>20}",
            self.label,
            self.wall_ms.show(0),
            self.cpu_ms.show(0),
            self.pss_mib.show(1),
            self.uss_mib.show(1)
        )
    }
}

pub(crate) fn header() -> String {
    format!(
        "  {:<34} {:>20} {:>20} {:>20} {:>20}",
        "", "wall ms", "CPU ms", "peak PSS MiB", "peak USS MiB"
    )
}

/// The machine's cores and load, as printed with every table.
pub(crate) fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let load = std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    format!("{cores} cores, load average {load} (at start)")
}

/// The binary measured: `DISTROFLOW_BIN`, else `target/release/distroflow`
/// next to this benchmark's own binary.
fn distroflow_bin() -> Result<PathBuf, String> {
    if let Some(b) = std::env::var_os("DISTROFLOW_BIN") {
        return Ok(PathBuf::from(b));
    }
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin = me.with_file_name("distroflow");
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!(
            "no distroflow binary at {}: build it (cargo build --release) or set DISTROFLOW_BIN",
            bin.display()
        ))
    }
}

struct Env {
    dir: tempfile::TempDir,
    bin: PathBuf,
    seed: u64,
    png: PathBuf,
}

impl Env {
    fn new(seed: u64, pool: Option<usize>) -> Result<Env, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        for d in ["home", "tmp"] {
            std::fs::create_dir_all(dir.path().join(d)).map_err(|e| e.to_string())?;
        }
        if let Some(n) = pool {
            std::fs::write(
                dir.path().join("home").join("config.toml"),
                format!("[browser]\nmax_concurrency = {n}\n"),
            )
            .map_err(|e| e.to_string())?;
        }
        let png = dir.path().join("bench.png");
        std::fs::write(&png, crate::PNG).map_err(|e| e.to_string())?;
        Ok(Env {
            bin: distroflow_bin()?,
            dir,
            seed,
            png,
        })
    }

    /// `distroflow post --sandbox --to TARGETS` with a title, a subreddit
    /// and an image (Hacker News takes no image: a warning, not an error).
    fn post(&self, targets: &str, n: usize) -> Command {
        let mut c = Command::new(&self.bin);
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("DISTROFLOW_")) {
            if k != "DISTROFLOW_CHROME" && k != "DISTROFLOW_CHROME_ARGS" {
                c.env_remove(k);
            }
        }
        c.env_remove("RUST_LOG")
            .env("DISTROFLOW_HOME", self.dir.path().join("home"))
            .env("TMPDIR", self.dir.path().join("tmp"))
            .env(distroflow_replica::SEED_ENV, self.seed.to_string())
            .args(["post", "--sandbox", "--json", "--to", targets])
            .args(["--title", &format!("Benchmark post #{n}")])
            .args(["--subreddit", "bench", "--media"])
            .arg(&self.png)
            .arg(format!(
                "Benchmark post #{n} from DistroFlow 🚀\n\nMeasuring the whole process."
            ));
        c
    }
}

/// The floor: the headless shell launched with a fresh profile, loading
/// one page of the Hacker News replica (`--dump-dom`), and quitting.
fn floor(exe: &Path, url: &str, tmp: &Path) -> Command {
    let mut c = Command::new(exe);
    let profile = tmp.join(format!("floor-{}", std::process::id()));
    c.args([
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-extensions",
        "--disable-component-update",
    ]);
    if nix::unistd::geteuid().is_root() {
        c.arg("--no-sandbox");
    }
    c.arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(url)
        .env("TMPDIR", tmp);
    c
}

/// One command the whole-process table measures.
struct Case<'a> {
    label: String,
    make: Box<dyn FnMut() -> Command + 'a>,
    ok: fn(&Cost) -> Result<(), String>,
}

/// Runs every case `runs` times unsampled (wall, CPU), then `runs` times
/// sampled (memory), round-robin: one run of each case per round, so that
/// a change in the machine's load over the minutes the table takes
/// weighs on every row alike instead of on the rows measured then.
async fn figures(
    cases: &mut [Case<'_>],
    runs: usize,
    every: Duration,
) -> Result<Vec<Figures>, String> {
    #[derive(Default)]
    struct Acc {
        wall: Vec<f64>,
        cpu: Vec<f64>,
        pss: Vec<f64>,
        uss: Vec<f64>,
        max_procs: usize,
    }
    let mut acc: Vec<Acc> = cases.iter().map(|_| Acc::default()).collect();
    for round in 0..runs * 2 {
        let sample = (round >= runs).then_some(every);
        for (case, acc) in cases.iter_mut().zip(acc.iter_mut()) {
            let cmd = (case.make)();
            let cost = tokio::task::spawn_blocking(move || tree::measure(cmd, sample))
                .await
                .map_err(|e| e.to_string())??;
            (case.ok)(&cost).map_err(|e| format!("{}: {e}", case.label))?;
            if std::env::var_os("BENCH_VERBOSE").is_some() {
                eprintln!(
                    "    {}: wall {:?} cpu {:?} pss {} KiB ({} samples, {} processes)",
                    case.label,
                    cost.wall,
                    cost.cpu,
                    cost.peak_pss_kib,
                    cost.samples,
                    cost.max_procs
                );
            }
            if sample.is_some() {
                acc.pss.push(cost.peak_pss_kib as f64 / 1024.0);
                acc.uss.push(cost.peak_uss_kib as f64 / 1024.0);
                acc.max_procs = acc.max_procs.max(cost.max_procs);
            } else {
                acc.wall.push(crate::ms(cost.wall));
                acc.cpu.push(crate::ms(cost.cpu));
            }
        }
    }
    Ok(cases
        .iter()
        .zip(acc)
        .map(|(case, a)| Figures {
            label: case.label.clone(),
            wall_ms: Spread::of(a.wall),
            cpu_ms: Spread::of(a.cpu),
            pss_mib: Spread::of(a.pss),
            uss_mib: Spread::of(a.uss),
            max_procs: a.max_procs,
        })
        .collect())
}

/// A `distroflow post` run: exit 0 and every platform posted.
fn posted(c: &Cost) -> Result<(), String> {
    let lines: Vec<serde_json::Value> = c
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    if c.status == Some(0) && !lines.is_empty() && lines.iter().all(|r| r["ok"] == true) {
        Ok(())
    } else {
        Err(format!(
            "exit {:?}: {}{}",
            c.status,
            c.stdout,
            c.stderr
                .lines()
                .rev()
                .take(5)
                .collect::<Vec<_>>()
                .join(" | ")
        ))
    }
}

/// The floor run: exit 0 and the page's DOM printed.
fn loaded(c: &Cost) -> Result<(), String> {
    if c.status == Some(0) && c.stdout.contains("</html>") {
        Ok(())
    } else {
        Err(format!(
            "the headless shell did not load the page (exit {:?}): {}",
            c.status,
            c.stderr
                .lines()
                .rev()
                .take(5)
                .collect::<Vec<_>>()
                .join(" | ")
        ))
    }
}

/// The four the ratios are about, and all seven.
pub(crate) const FOUR: &str = "x,reddit,hackernews,instagram";

pub(crate) async fn bench(args: ProcessArgs) -> Result<(), String> {
    tree::become_subreaper()?;
    let env = Env::new(args.seed, args.pool)?;
    let browser = crate::browser_used();
    let machine = machine();
    let hn = HackerNews::start(HnOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let page = format!("{}/news", hn.url());
    let shell = BrowserOptions::from_env(None).chrome;
    let tmp = env.dir.path().join("tmp");
    let runs = args.runs;
    let every = args.every;
    let n = std::cell::Cell::new(0usize);
    let next = || {
        n.set(n.get() + 1);
        n.get()
    };

    // Warm-up: the disk cache (binary, Chromium, fonts), once each.
    let cmd = env.post("hackernews", next());
    let warm = tokio::task::spawn_blocking(move || tree::measure(cmd, None))
        .await
        .map_err(|e| e.to_string())??;
    posted(&warm).map_err(|e| format!("warm-up: {e}"))?;

    let mut cases = vec![Case {
        label: "floor (shell loads one page)".into(),
        make: Box::new(|| floor(&shell, &page, &tmp)),
        ok: loaded,
    }];
    for (label, targets) in [
        ("hackernews alone", "hackernews"),
        ("x alone", "x"),
        ("reddit alone", "reddit"),
        ("instagram alone", "instagram"),
        (FOUR, FOUR),
        ("all seven", "all"),
    ] {
        let (env, next) = (&env, &next);
        cases.push(Case {
            label: label.into(),
            make: Box::new(move || env.post(targets, next())),
            ok: posted,
        });
    }
    let rows = figures(&mut cases, runs, every).await?;
    drop(cases);
    hn.shutdown().await;

    let floor_f = &rows[0];
    let hn_f = &rows[1];
    let single = &rows[1..5];
    let four = &rows[5];
    let seven = &rows[6];
    let slowest = single
        .iter()
        .max_by(|a, b| a.wall_ms.median.total_cmp(&b.wall_ms.median))
        .cloned()
        .unwrap_or_default();
    let biggest = single
        .iter()
        .max_by(|a, b| a.pss_mib.median.total_cmp(&b.pss_mib.median))
        .cloned()
        .unwrap_or_default();
    let smallest = single
        .iter()
        .min_by(|a, b| a.pss_mib.median.total_cmp(&b.pss_mib.median))
        .cloned()
        .unwrap_or_default();
    let fan = four.wall_ms.over(&slowest.wall_ms);
    let fan7 = seven.wall_ms.over(&slowest.wall_ms);
    let mem = four.pss_mib.over(&biggest.pss_mib);
    let mem_small = four.pss_mib.over(&smallest.pss_mib);
    let uss_big = single
        .iter()
        .max_by(|a, b| a.uss_mib.median.total_cmp(&b.uss_mib.median))
        .cloned()
        .unwrap_or_default();
    let uss_small = single
        .iter()
        .min_by(|a, b| a.uss_mib.median.total_cmp(&b.uss_mib.median))
        .cloned()
        .unwrap_or_default();
    let mem_uss = four.uss_mib.over(&uss_big.uss_mib);
    let mem_uss_small = four.uss_mib.over(&uss_small.uss_mib);
    let over_wall = hn_f.wall_ms.over(&floor_f.wall_ms);
    let over_cpu = hn_f.cpu_ms.over(&floor_f.cpu_ms);

    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "kind": "whole-process",
                "machine": machine,
                "browser": browser,
                "binary": env.bin.display().to_string(),
                "seed": args.seed,
                "runs": runs,
                "pool": args.pool,
                "chrome_args": std::env::var("DISTROFLOW_CHROME_ARGS").ok(),
                "rows": rows.iter().map(Figures::json).collect::<Vec<_>>(),
                "slowest_single": slowest.label,
                "four_over_slowest_wall": fan.json(),
                "seven_over_slowest_wall": fan7.json(),
                "four_over_biggest_single_pss": mem.json(),
                "four_over_smallest_single_pss": mem_small.json(),
                "four_over_biggest_single_uss": mem_uss.json(),
                "four_over_smallest_single_uss": mem_uss_small.json(),
                "hn_over_floor_wall": over_wall.json(),
                "hn_over_floor_cpu": over_cpu.json(),
            })
        );
        return Ok(());
    }
    println!(
        "DistroFlow, whole process: `distroflow post --sandbox --to ...`, no injected latency, replica seed {}",
        args.seed
    );
    println!("  machine  {machine}");
    println!("  browser  {browser}");
    println!("  binary   {}", env.bin.display());
    println!(
        "  pool     {}",
        args.pool
            .map(|n| format!("{n} (config.toml)"))
            .unwrap_or_else(|| "the default (no config.toml)".into())
    );
    if let Ok(extra) = std::env::var("DISTROFLOW_CHROME_ARGS") {
        println!("  DISTROFLOW_CHROME_ARGS={extra}");
    }
    println!(
        "  median [min-max] of {runs} runs (round-robin over the rows); memory from {runs} more runs, the whole tree's PSS summed at the same instant every {} ms",
        every.as_millis()
    );
    println!("{}", header());
    for r in &rows {
        println!("{}", r.row());
    }
    println!(
        "  {FOUR} / slowest single ({}), wall: {}x (target <= 1.2x)",
        slowest.label,
        fan.show(2)
    );
    println!("  all seven / slowest single, wall: {}x", fan7.show(2));
    println!(
        "  memory, 4 targets / 1 target: {}x against the largest single ({}), {}x against the smallest ({}) (target <= 1.6x)",
        mem.show(2),
        biggest.label,
        mem_small.show(2),
        smallest.label
    );
    println!(
        "  memory (USS, private pages: not moved by other processes), 4 targets / 1 target: {}x against the largest single ({}), {}x against the smallest ({})",
        mem_uss.show(2),
        uss_big.label,
        mem_uss_small.show(2),
        uss_small.label
    );
    println!(
        "  one Hacker News post / floor: wall {}x, CPU {}x (target <= 1.3x)",
        over_wall.show(2),
        over_cpu.show(2)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Spread;

    #[test]
    fn spread_has_the_median_min_and_max() {
        let s = Spread::of(vec![5.0, 1.0, 3.0]);
        assert_eq!((s.median, s.min, s.max), (3.0, 1.0, 5.0));
        let s = Spread::of(vec![4.0, 1.0, 2.0, 3.0]);
        assert_eq!((s.median, s.min, s.max), (2.5, 1.0, 4.0));
    }

    #[test]
    fn a_ratio_spans_the_smallest_and_largest_pairing() {
        let four = Spread::of(vec![12.0, 10.0, 14.0]);
        let one = Spread::of(vec![5.0, 4.0, 6.0]);
        let r = four.over(&one);
        assert_eq!(r.median, 12.0 / 5.0);
        assert_eq!(r.min, 10.0 / 6.0);
        assert_eq!(r.max, 14.0 / 4.0);
    }
}
