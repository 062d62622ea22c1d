//! The benchmark report as Markdown tables, the form BENCHMARKS.md keeps it in.

use crate::{engine, pg, Report};

fn mib(bytes: f64) -> f64 {
    bytes / 1024.0 / 1024.0
}

pub fn print_report(r: &Report) {
    let m = &r.machine;
    println!("## {} profiles", r.profiles);
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
        "Queries: {} warm-up then {} measured per class and engine, top 20; rare = on at most {} profiles.",
        r.warmup, r.iterations, r.rare_skill_ceiling
    );
    println!();
    println!(
        "| class | tantivy p50 | tantivy p99 | tantivy ranking p50 / p99 | PostgreSQL p50 | PostgreSQL p99 | ratio p50 \
         | ratio p99 | hits (t / pg) | samples (t / pg) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
    for c in &r.classes {
        println!(
            "| {} | {:.3} ms | {:.3} ms | {:.3} / {:.3} ms | {:.3} ms | {:.3} ms | {:.1}× | {:.1}× | {:.1} / {:.1} | {} / {} |",
            c.class.label(),
            c.tantivy.p50_ms,
            c.tantivy.p99_ms,
            c.tantivy_ranking.p50_ms,
            c.tantivy_ranking.p99_ms,
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
    }
}
