#!/usr/bin/env python3
"""Prints every table named (diesel DSL or SQL) outside its owning feature and every reference into another
feature's store. `--check` exits non-zero if there is any (CI runs it). Usage: ownership.py [--check] [SRC_DIR]"""
import os, re, sys, collections

ARGS = [a for a in sys.argv[1:] if a != "--check"]
CHECK = "--check" in sys.argv[1:]
ROOT = ARGS[0] if ARGS else "src"
OWNER = {
    "users": "auth", "refresh_tokens": "auth", "login_failures": "auth",
    "skills": "taxonomy", "skill_labels": "taxonomy", "skill_links": "taxonomy", "jobtech_concepts": "taxonomy",
    "seeker_profiles": "seekers", "profile_skills": "seekers", "profile_languages": "seekers",
    "profile_experience": "seekers", "profile_education": "seekers", "profile_desired_locations": "seekers",
    "organizations": "orgs", "memberships": "orgs", "network_requests": "orgs", "organization_claims": "orgs",
    "jobs": "jobs", "job_skills": "jobs", "job_languages": "jobs", "job_sources": "jobs",
    "job_fingerprints": "imports", "job_fingerprint_bands": "imports", "import_feeds": "imports",
    "profile_views": "seekers",
    "index_outbox": "outbox", "outbox_cursors": "outbox",
    "mail_outbox": "mail", "mail_bounces": "mail",
    "alerts": "alerts", "alert_matches": "alerts", "alert_digest_runs": "alerts",
    "partner_invitations": "partners", "partner_links": "partners", "recruitments": "partners",
    "referrals": "partners", "referral_opt_outs": "partners", "partner_alert_opt_outs": "partners",
}
FEATURES = {"alerts", "auth", "jobs", "mail", "orgs", "partners", "privacy", "search", "seekers", "taxonomy", "seed", "places", "observability", "imports"}
SKIP = ("schema.rs", "bench", "bin/")

def module_of(path):
    rel = os.path.relpath(path, ROOT)
    head = rel.split(os.sep)[0]
    return head[:-3] if head.endswith(".rs") else head

def strip_tests(text):
    i = text.find("#[cfg(test)]")
    return text if i < 0 else text[:i]

foreign = collections.Counter(); where = collections.defaultdict(set); store_calls = []
for dirpath, _, files in os.walk(ROOT):
    for f in files:
        if not f.endswith(".rs"): continue
        p = os.path.join(dirpath, f); rel = os.path.relpath(p, ROOT)
        if any(s in rel for s in SKIP): continue
        text = strip_tests(open(p).read()); mod = module_of(p)
        for t, owner in OWNER.items():
            imports = " ".join(re.findall(r"schema::\{([^}]*)\}", text))
            dsl = re.search(r"\bschema::%s\b|\b%s::(table|dsl)\b" % (t, t), text) or re.search(r"\b%s\b" % t, imports)
            sql = re.search(r"(?i)\b(from|join|into|update|table)\s+%s\b" % t, text)
            if (dsl or sql) and mod != owner:
                foreign[t] += 1; where[t].add(rel)
        for m in re.finditer(r"\b(?:crate::)?([a-z_]+)::store::", text):
            if m.group(1) in FEATURES and m.group(1) != mod:
                store_calls.append((rel, m.group(1)))
        for m in re.finditer(r"use crate::([a-z_]+)::\{?[^;]*\bstore\b", text):
            if m.group(1) in FEATURES and m.group(1) != mod:
                store_calls.append((rel, m.group(1) + " (use)"))

print("tables named outside their owner: %d tables, %d files" % (len(foreign), sum(len(v) for v in where.values())))
for t in sorted(where): print("  %-26s %s" % (t, ", ".join(sorted(where[t]))))
print("references into another feature's store: %d" % len(store_calls))
for r, m in sorted(store_calls): print("  %-36s -> %s" % (r, m))
if CHECK and (foreign or store_calls):
    sys.exit("every table has one owner and stores are private: see the lines above")
