"""core/bench/modes.py: the table beside PacGAN's published rows (formatting only; training is tested
through ``ganvas bench modes`` in tests/core/cli/test_bench.py)."""

import math


def _report(kl_mean):
    stat = {"mean": 7.5, "se": 0.5}
    return {
        "recipe": "ring8",
        "name": "ring8",
        "mixture": "ring",
        "loss": "hinge",
        "regularize": ["pack"],
        "trials": [{}, {}],
        "summary": {
            "modes": stat,
            "high_quality": stat,
            "seconds": stat,
            "reverse_kl": {"mean": kl_mean, "se": kl_mean},
        },
    }


def test_format_report_puts_the_run_under_the_published_rows():
    from ganvas.bench.modes import format_report

    text = format_report(_report(0.125))
    assert text.index("published PacGAN4") < text.index("ring8 (hinge+pack, 2 trials)")
    assert "0.125 ± 0.125" in text and "grid" not in text


def test_an_infinite_reverse_kl_prints_inf():
    from ganvas.bench.modes import _mean_se, format_table

    assert _mean_se([1.0, math.inf]) == (math.inf, math.inf)
    assert " inf " in format_table([_report(None)]) + " "
