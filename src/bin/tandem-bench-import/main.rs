//! `tandem-bench-import`: times importing job ads with skill extraction. It writes a synthetic JobStream file of N
//! ads (and a JobPosting file that copies some of them from two other boards), imports the JobStream file into a
//! fresh database twice (the second run must find every ad unchanged), then the JobPosting file, and times where
//! the CPU goes per ad. Ends with one `SUMMARY {...}` line of JSON; `scripts/bench-import.sh N` builds and runs
//! it. See BENCHMARKS.md.

#[path = "../bench-common/mod.rs"]
mod bench_common;
mod cpu;
mod database;
mod machine;
mod synth;
mod templates;
mod vocabulary;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use tandem::imports::{Format, ImportSummary, Importer};

use machine::Usage;
use synth::{Counts, Spec};

#[derive(Parser, Debug)]
#[command(name = "tandem-bench-import", about = "Import speed of job ads with skill extraction, on synthetic ads")]
struct Options {
    /// Entries of the synthetic JobStream file (about 3 % of them withdrawals of earlier ads).
    #[arg(long, default_value_t = 50_000)]
    ads: usize,
    /// Postings in the JobPosting file, half of them copies of JobStream ads; by default one per 25 ads.
    #[arg(long)]
    postings: Option<usize>,
    /// The generator's seed: the same seed, sizes and day give the same files.
    #[arg(long, default_value_t = 13)]
    seed: u64,
    /// Ads timed step by step for the CPU breakdown; by default all of them.
    #[arg(long)]
    cpu_ads: Option<usize>,
    /// The benchmark database, dropped and created afresh; by default `tandem_importbench` on the local server.
    /// Its name must contain "importbench".
    #[arg(long, env = "IMPORT_BENCH_DATABASE_URL")]
    database_url: Option<String>,
    /// Leave the database (and the generated files) in place at the end, for a look at what was imported.
    #[arg(long)]
    keep: bool,
    /// Where the generated files are written; by default a folder of their own in the temporary directory.
    #[arg(long)]
    files: Option<PathBuf>,
}

/// The figures of the last line, for scripts and BENCHMARKS.md.
#[derive(serde::Serialize)]
struct Summary {
    ads: usize,
    text_kib_mean: f64,
    extractor_load_seconds: f64,
    first_import_ads_per_second: f64,
    second_import_ads_per_second: f64,
    second_import_all_unchanged: bool,
    postings: usize,
    postings_per_second: f64,
    postings_merged: usize,
    postings_copied: usize,
    prepare_ads_per_second_one_thread: f64,
    cpu_us_per_ad: cpu::Breakdown,
    peak_rss_mib: Option<f64>,
}

fn main() -> std::process::ExitCode {
    bench_common::run_main(run(Options::parse()))
}

async fn run(options: Options) -> anyhow::Result<()> {
    let load_at_start = bench_common::load_average();
    let url = bench_common::database_url(options.database_url.as_deref(), "tandem_importbench", "importbench")?;
    let postings = options.postings.unwrap_or(options.ads / 25);
    let spec = Spec { ads: options.ads, postings, seed: options.seed, today: chrono::Utc::now().date_naive() };
    let folder = options
        .files
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("tandem-importbench-{}", std::process::id())));
    let files = generate(&spec, &folder)?;

    eprintln!("preparing {} afresh (migrations, taxonomy)", tandem::db::redact(&url));
    let pool = database::fresh(&url).await?;
    let mut conn = pool.get().await?;
    let started = Instant::now();
    let importer = Importer::load(&mut conn).await?;
    let extractor_load = started.elapsed().as_secs_f64();
    drop(conn);
    machine::reset_peak_rss();

    println!("## Import: {} JobStream entries and {} JobPosting postings, synthetic", spec.ads, spec.postings);
    println!();
    println!("{}", describe(&files.jobstream_counts, "JobStream file", &files.jobstream));
    println!("{}", describe(&files.postings_counts, "JobPosting file", &files.postings));
    println!("Extractor and concepts loaded (Importer::load) in {extractor_load:.2} s");
    let first = timed_import(&importer, &pool, Format::Jobtech, &files.jobstream, "JobStream, first import").await?;
    check_first(&first.summary, &files.jobstream_counts);
    let second =
        timed_import(&importer, &pool, Format::Jobtech, &files.jobstream, "JobStream, same file again").await?;
    let all_unchanged = second.summary.unchanged == files.jobstream_counts.entries;
    if !all_unchanged {
        println!(
            "  NOT IDEMPOTENT: {} of {} entries unchanged on the second import",
            second.summary.unchanged, files.jobstream_counts.entries
        );
    }
    let boards = timed_import(&importer, &pool, Format::Jobposting, &files.postings, "JobPosting, two boards").await?;
    println!(
        "  merged {} of the {} postings that copy a JobStream ad",
        boards.summary.merged, files.postings_counts.copies
    );
    let peak_rss_mib = machine::peak_rss_mib();
    if let Some(mib) = peak_rss_mib {
        println!("Peak resident memory while importing: {mib:.0} MiB");
    }

    let mut conn = pool.get().await?;
    let input = std::fs::read(&files.jobstream)?;
    let limit = options.cpu_ads.unwrap_or(usize::MAX);
    let breakdown = cpu::measure(&mut conn, input, limit).await?;
    drop(conn);
    print_breakdown(&breakdown);

    let summary = Summary {
        ads: spec.ads,
        text_kib_mean: files.jobstream_counts.text_bytes as f64
            / files.jobstream_counts.published.max(1) as f64
            / 1024.0,
        extractor_load_seconds: extractor_load,
        first_import_ads_per_second: first.per_second,
        second_import_ads_per_second: second.per_second,
        second_import_all_unchanged: all_unchanged,
        postings: spec.postings,
        postings_per_second: boards.per_second,
        postings_merged: boards.summary.merged,
        postings_copied: files.postings_counts.copies,
        prepare_ads_per_second_one_thread: breakdown.prepare_per_second(),
        cpu_us_per_ad: breakdown,
        peak_rss_mib,
    };
    drop(pool);
    if options.keep {
        eprintln!("kept {} and {}", tandem::db::redact(&url), folder.display());
    } else {
        database::remove(&url).await?;
        if options.files.is_none() {
            std::fs::remove_dir_all(&folder).with_context(|| format!("removing {}", folder.display()))?;
        }
    }
    println!();
    println!(
        "Machine: {} CPUs, {}; load average {load_at_start:.1} at the start, {:.1} at the end",
        bench_common::cpus(),
        bench_common::cpu_model(),
        bench_common::load_average()
    );
    println!("SUMMARY {}", serde_json::to_string(&summary)?);
    Ok(())
}

/// The generated files and what they hold.
struct Files {
    jobstream: PathBuf,
    jobstream_counts: Counts,
    postings: PathBuf,
    postings_counts: Counts,
}

fn generate(spec: &Spec, folder: &Path) -> anyhow::Result<Files> {
    let started = Instant::now();
    let taxonomy = tandem::taxonomy::sources::Taxonomy::embedded()?;
    let vocabulary = vocabulary::Vocabulary::of(&taxonomy)?;
    drop(taxonomy);
    std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    let jobstream = folder.join("jobstream.json");
    let postings = folder.join("jobposting.json");
    let jobstream_counts = write(&jobstream, |out| synth::write_jobstream(spec, &vocabulary, out))?;
    let postings_counts = write(&postings, |out| synth::write_postings(spec, &vocabulary, out))?;
    eprintln!(
        "generated {} and {} in {:.1} s",
        jobstream.display(),
        postings.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(Files { jobstream, jobstream_counts, postings, postings_counts })
}

fn write(
    path: &Path,
    body: impl FnOnce(&mut BufWriter<std::fs::File>) -> anyhow::Result<Counts>,
) -> anyhow::Result<Counts> {
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::new(file);
    let counts = body(&mut out)?;
    out.flush()?;
    Ok(counts)
}

fn describe(counts: &Counts, what: &str, path: &Path) -> String {
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    format!(
        "{what}: {} entries, {:.1} MiB; {} published ({} Swedish, {} English; text {:.1} KiB on average), {} \
         withdrawals of earlier ads, {} reposts under a new id, {} copies of JobStream ads",
        counts.entries,
        size as f64 / (1024.0 * 1024.0),
        counts.published,
        counts.swedish,
        counts.english,
        counts.text_bytes as f64 / counts.published.max(1) as f64 / 1024.0,
        counts.removed,
        counts.reposts,
        counts.copies
    )
}

/// One import and what it cost.
struct Timed {
    summary: ImportSummary,
    per_second: f64,
}

/// Imports the file as `tandem import` does (read whole, then imported), timing the import alone.
async fn timed_import(
    importer: &Importer,
    pool: &tandem::db::DbPool,
    format: Format,
    path: &Path,
    what: &str,
) -> anyhow::Result<Timed> {
    let input = std::fs::read(path)?;
    let usage = Usage::now();
    let started = Instant::now();
    let summary = importer.import(pool, format, input, |_| {}).await?;
    let seconds = started.elapsed().as_secs_f64();
    let used = usage.since();
    let per_second = summary.ads() as f64 / seconds.max(1e-9);
    println!(
        "{what}: {} entries in {seconds:.1} s, {per_second:.0} ads/s (this process on CPU {:.0} % of the time, the \
         machine's CPUs busy {:.0} %)",
        summary.ads(),
        used.process_percent,
        used.machine_percent
    );
    println!(
        "  new {}, updated {}, unchanged {}, withdrawn {}, merged {}, skipped {}, skills found {}",
        summary.new,
        summary.updated,
        summary.unchanged,
        summary.withdrawn,
        summary.merged,
        summary.skipped.len(),
        summary.skills_found
    );
    for skipped in summary.skipped.iter().take(3) {
        println!("  skipped at {}: {}", skipped.position, skipped.reason);
    }
    Ok(Timed { summary, per_second })
}

/// Says where the first import's counts differ from what the file holds.
fn check_first(summary: &ImportSummary, counts: &Counts) {
    let expected = [
        ("new", summary.new, counts.published),
        ("withdrawn", summary.withdrawn, counts.removed),
        ("skipped", summary.skipped.len(), 0),
    ];
    for (what, got, want) in expected {
        if got != want {
            println!("  UNEXPECTED: {what} {got}, the file holds {want}");
        }
    }
}

fn print_breakdown(b: &cpu::Breakdown) {
    println!(
        "CPU per ad on one thread ({} ads): split {:.0} µs, read {:.0} µs, extract {:.0} µs, fingerprint {:.0} µs; \
         Preparer::prepare {:.0} µs in all ({:.0} ads/s on the one thread that prepares)",
        b.ads,
        b.split_us,
        b.read_us,
        b.extract_us,
        b.fingerprint_us,
        b.prepare_us,
        b.prepare_per_second()
    );
    println!(
        "Extractor: labels and concepts queried in {:.0} ms, extractor built in {:.0} ms",
        b.labels_query_ms, b.extractor_build_ms
    );
}
