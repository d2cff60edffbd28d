"""The ETL rows of `make bench`: `assay etl` into Postgres against a plain `psql \\copy` of the same file.

Generates lab exports in the reference format (tab after each comma, a blank first line, no final newline)
with 10,000 users and 1,000 compounds, times `assay etl` (release build) at each experiment count, reads its
peak RSS from /usr/bin/time -v, and times `\\copy` of the experiments file into a bare four-column table.
"""
import random
import re
import statistics
import time
from pathlib import Path

USERS = 10_000
COMPOUNDS = 1_000


def generate(directory: Path, experiments: int, seed: int = 1) -> Path:
    """Writes users.csv, compounds.csv and user_experiments.csv; returns the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)

    def write(name, header, rows):
        with open(directory / name, "w") as out:
            out.write("\n" + ",\t".join(header))
            for row in rows:
                out.write("\n" + ",\t".join(row))

    write("users.csv", ["user_id", "name", "email", "signup_date"],
          ((str(i), f"User {i}", f"user{i}@lab.example", f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}") for i in range(1, USERS + 1)))
    write("compounds.csv", ["compound_id", "compound_name", "compound_structure"],
          ((str(i), f"Compound {i}", f"C{i % 40 + 1}H{i % 60 + 1}O{i % 9 + 1}") for i in range(1, COMPOUNDS + 1)))
    ids = list(range(1, COMPOUNDS + 1))
    choose = rng.sample
    users = rng.randint
    write("user_experiments.csv", ["experiment_id", "user_id", "experiment_compound_ids", "experiment_run_time"],
          ((str(e), str(users(1, USERS)), ";".join(map(str, choose(ids, users(1, 3)))), str(users(1, 1200) / 4))
           for e in range(1, experiments + 1)))
    return directory


def etl(run, assay, data: Path, database_url: str):
    """One `assay etl` run: (wall seconds, peak RSS in MB)."""
    started = time.monotonic()
    out = run(["/usr/bin/time", "-v", assay, "etl", "--data", data, "--postgres-url", database_url], timeout=600)
    seconds = time.monotonic() - started
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    return seconds, int(rss.group(1)) / 1024 if rss else float("nan")


def raw_copy(run, psql, data: Path, database_url: str) -> float:
    """Seconds for `\\copy` of the experiments file into a bare table of four text columns."""
    run([psql, "-q", "-v", "ON_ERROR_STOP=1", database_url, "-c",
         "DROP TABLE IF EXISTS bench_raw_experiments; "
         "CREATE TABLE bench_raw_experiments (experiment_id text, user_id text, compound_ids text, run_time text)"])
    started = time.monotonic()
    # HEADER skips the blank first line; the header row itself loads as one more text row.
    run([psql, "-q", "-v", "ON_ERROR_STOP=1", database_url, "-c",
         f"\\copy bench_raw_experiments FROM '{data / 'user_experiments.csv'}' WITH (FORMAT csv, HEADER true)"], timeout=600)
    return time.monotonic() - started


def measure(run, log, assay, psql, database_url, workdir: Path, sizes=(100_000, 1_000_000, 5_000_000), repeats=3):
    """Returns the markdown table of the ETL rows and, per size, its figures (size, seconds, rss, copy)."""
    lines = ["| experiments | `assay etl` wall s (median of runs) | rows/s | peak RSS MB | `\\copy` s | etl / copy |",
             "|---:|---:|---:|---:|---:|---:|"]
    results = []
    for size in sizes:
        log(f"etl: generating {size:,} experiments")
        data = generate(workdir / f"etl-{size}", size)
        runs = [etl(run, assay, data, database_url) for _ in range(repeats if size == 1_000_000 else 1)]
        seconds = statistics.median(r[0] for r in runs)
        rss = max(r[1] for r in runs)
        log(f"etl: {size:,} in {seconds:.2f} s, {rss:.0f} MB")
        copy = raw_copy(run, psql, data, database_url)
        lines.append(f"| {size:,} | {seconds:.2f} ({', '.join(f'{r[0]:.2f}' for r in runs)}) | {size / seconds:,.0f} | {rss:.0f} | "
                     f"{copy:.2f} | {seconds / copy:.2f}x |")
        results.append({"size": size, "seconds": seconds, "rss": rss, "copy": copy})
        for path in data.iterdir():
            path.unlink()
    return "\n".join(lines), results
