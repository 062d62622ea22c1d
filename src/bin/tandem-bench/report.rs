//! The benchmark report as Markdown tables (the form BENCHMARKS.md keeps it in), then one JSON summary line with
//! every figure of issue 11's goal table that a run in process can take.

use serde_json::{json, Map, Value};

use crate::{engine, pg, Report};

fn mib(bytes: f64) -> f64 {
    bytes / 1024.0 / 1024.0
}

pub fn print_report(r: &Report) {
    let m = &r.machine;
    println!("## {} profiles (+ {} jobs)", r.profiles, r.jobs);
    println!();
    println!(
        "Machine: {} CPUs, {}, {:.1} GiB RAM, PostgreSQL {}; load average {:.1} at the start, {:.1} at the end",
        m.cpus, m.cpu_model, m.memory_gib, m.postgres, m.load_average.0, m.load_average.1
    );
    if let Some(rate) = r.load_profiles_per_second {
        println!("Synthetic load (seed --synthetic): {rate:.0} profiles/s");
    }
    print_builds(r.tantivy.as_ref(), r.postgres.as_ref());
    println!();
    println!(
        "Queries: {} warm-up then {} measured per class and engine, top 20; rare = on at most {} profiles, common = on \
         at least {} (drawn in proportion to their holders).",
        r.warmup, r.iterations, r.rare_skill_ceiling, r.common_skill_floor
    );
    println!();
    println!(
        "| class | distinct | tantivy p50 | tantivy p99 | ranking p50 / p99 | PostgreSQL p50 | PostgreSQL p99 | ratio p50 \
         | ratio p99 | hits (t / pg) | samples (t / pg) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
    for c in &r.classes {
        let ranking =
            c.tantivy_ranking.map_or_else(|| "—".to_owned(), |l| format!("{:.3} / {:.3} ms", l.p50_ms, l.p99_ms));
        println!(
            "| {} | {} | {:.3} ms | {:.3} ms | {ranking} | {:.3} ms | {:.3} ms | {:.1}× | {:.1}× | {:.1} / {:.1} | {} / {} |",
            c.class.label(),
            c.distinct_queries,
            c.tantivy.p50_ms,
            c.tantivy.p99_ms,
            c.postgres.p50_ms,
            c.postgres.p99_ms,
            c.ratio_p50,
            c.ratio_p99,
            c.mean_hits.0,
            c.mean_hits.1,
            c.tantivy.samples,
            c.postgres.samples
        );
    }
    if let Some(f) = &r.freshness {
        println!();
        println!(
            "Change → searchable (real indexer, {} profile changes): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} not \
             found within 10 s.",
            f.changes, f.latency.p50_ms, f.latency.p99_ms, f.latency.max_ms, f.missed
        );
    }
    println!();
}

fn print_builds(tantivy: Option<&engine::IndexBuild>, postgres: Option<&pg::PgBuild>) {
    if tantivy.is_none() && postgres.is_none() {
        return;
    }
    println!();
    println!("| build | documents | seconds | profiles/s | size |");
    println!("|---|---:|---:|---:|---|");
    if let Some(t) = tantivy {
        println!(
            "| tantivy index (rebuild from PostgreSQL) | {} + {} jobs | {:.1} | {:.0} | {:.1} MiB on disk |",
            t.candidates,
            t.jobs,
            t.seconds,
            t.profiles_per_second(),
            mib(t.bytes as f64)
        );
    }
    if let Some(p) = postgres {
        println!(
            "| PostgreSQL tsvector table + GIN | {} | {:.1} + {:.1} | {:.0} | {:.1} MiB table + {:.1} MiB GIN |",
            p.documents,
            p.table_seconds,
            p.index_seconds,
            p.documents_per_second(),
            mib(p.table_bytes as f64),
            mib(p.gin_bytes as f64)
        );
        println!("| PostgreSQL job tsvectors + GIN | {} jobs | {:.1} | — | — |", p.jobs, p.jobs_seconds);
    }
}

/// Rounds to three decimals, so the line stays short.
fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// One line of JSON on stdout, last: per class p50/p99 in process and in PostgreSQL and their ratios, the build
/// and load rates, the index size, freshness, the machine and its load.
pub fn print_summary_line(r: &Report) -> anyhow::Result<()> {
    let mut classes = Map::new();
    for c in &r.classes {
        let mut class = json!({
            "distinct": c.distinct_queries,
            "tantivy_p50_ms": r3(c.tantivy.p50_ms),
            "tantivy_p99_ms": r3(c.tantivy.p99_ms),
            "postgres_p50_ms": r3(c.postgres.p50_ms),
            "postgres_p99_ms": r3(c.postgres.p99_ms),
            "ratio_p50": r3(c.ratio_p50),
            "ratio_p99": r3(c.ratio_p99),
            "samples": [c.tantivy.samples, c.postgres.samples],
            "mean_hits": [r3(c.mean_hits.0), r3(c.mean_hits.1)],
        });
        if let (Some(ranking), Some(fields)) = (c.tantivy_ranking, class.as_object_mut()) {
            fields.insert("ranking_p50_ms".into(), json!(r3(ranking.p50_ms)));
            fields.insert("ranking_p99_ms".into(), json!(r3(ranking.p99_ms)));
        }
        classes.insert(c.class.key().to_owned(), class);
    }
    let build = json!({
        "load_profiles_per_s": r.load_profiles_per_second.map(r3),
        "index_profiles_per_s": r.tantivy.as_ref().map(|t| r3(t.profiles_per_second())),
        "index_seconds": r.tantivy.as_ref().map(|t| r3(t.seconds)),
        "index_mib": r3(mib(r.index_bytes as f64)),
        "postgres_profiles_per_s": r.postgres.as_ref().map(|p| r3(p.documents_per_second())),
    });
    let freshness = r.freshness.as_ref().map(|f| {
        json!({
            "changes": f.changes,
            "p50_ms": r3(f.latency.p50_ms),
            "p99_ms": r3(f.latency.p99_ms),
            "max_ms": r3(f.latency.max_ms),
            "missed": f.missed,
        })
    });
    let m = &r.machine;
    let line = json!({
        "bench": "tandem-bench",
        "profiles": r.profiles,
        "jobs": r.jobs,
        "iterations": r.iterations,
        "classes": Value::Object(classes),
        "build": build,
        "freshness": freshness,
        "machine": {"cpus": m.cpus, "cpu_model": m.cpu_model, "memory_gib": r3(m.memory_gib), "postgres": m.postgres},
        "load_average": {"start": m.load_average.0, "end": m.load_average.1},
    });
    println!("{}", serde_json::to_string(&line)?);
    Ok(())
}
