"""The PNG: each submission's time in every mode, as grouped bars on a log scale."""

from __future__ import annotations

from pathlib import Path

from judgekit.bench.results import BenchReport, Mode


def write_chart(report: BenchReport, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display; set before pyplot is imported
    import matplotlib.pyplot as plt

    modes = list(Mode)
    names = [bench.short_name for bench in report.submissions]
    width = 0.8 / len(modes)
    figure, axes = plt.subplots(figsize=(max(8.0, 2.2 * len(names) + 3), 5.5))
    for index, mode in enumerate(modes):
        xs, seconds = [], []
        for position, bench in enumerate(report.submissions):
            value = bench.mode(mode).seconds
            if value is not None and value > 0:
                xs.append(position + (index - (len(modes) - 1) / 2) * width)
                seconds.append(value)
        label = mode.title if xs else f"{mode.title} (not measured)"
        axes.bar(xs, seconds, width, label=label, color=f"C{index}")
    axes.set_yscale("log")
    axes.set_ylabel("seconds (log scale)")
    axes.set_xticks(range(len(names)), names, rotation=10)
    axes.set_title(
        f"judgekit bench: {report.cases} cases, {report.machine.cpus} CPUs"
        + (" (quick)" if report.quick else "")
    )
    axes.grid(axis="y", which="both", alpha=0.3)
    axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    figure.tight_layout()
    figure.savefig(path, format="png", dpi=100)
    plt.close(figure)
