"""The ``gan`` method's auxiliary class loss (``method.class_loss``, AC-GAN): wired into both phases,
reported, refused where it cannot work."""

import json

import pytest
import tomli_w
import torch
from torch import nn

from ganvas import UserInputError
from ganvas.plugin.testing import tiny_recipe
from ganvas.plugins.methods.gan import _check_class_logits


def _train(cli, tmp_path, name, **method):
    raw = tiny_recipe(
        name=name,
        data={"source": "procedural:mixed", "size": 16, "count": 24},
        method={"name": "gan", "conditional": True, **method},
        train={"steps": 2, "batch": 6, "sample_every": 2, "checkpoint_every": 2, "log_every": 1},
    )
    path = tmp_path / f"{name}.toml"
    path.write_text(tomli_w.dumps(raw))
    cli("train", str(path), "-q")
    (run,) = (tmp_path / "runs").glob(f"*-{name}")
    lines = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines()]
    G = torch.load(next((run / "checkpoints").glob("*.pt")), weights_only=False)["method_state"]["G"]
    return [line for line in lines if "Loss/D" in line], G


def test_class_loss_is_added_to_both_phases_and_changes_training(cli, tmp_path):
    plain, G_plain = _train(cli, tmp_path, "plain")
    lines, G_class = _train(cli, tmp_path, "classes", class_loss=5.0)
    assert all("Loss/D_class" not in line for line in plain)
    assert all(line["Loss/D_class"] > 0 and line["Loss/G_class"] > 0 for line in lines)
    assert any(not torch.equal(G_plain[k], G_class[k]) for k in G_plain)  # the same seed trains differently


def test_class_loss_needs_a_conditional_run_with_class_logits(cli, tmp_path):
    raw = tiny_recipe(name="plain", method={"name": "gan", "class_loss": 1.0})
    (tmp_path / "a.toml").write_text(tomli_w.dumps(raw))
    out = cli("train", str(tmp_path / "a.toml"), "-q", code=2).output
    assert "method.class_loss needs method.conditional = true" in out

    class NoLogits(nn.Module):
        def forward(self, x, labels=None):
            return x.flatten(1).sum(1)

    with pytest.raises(UserInputError, match="class logits"):
        _check_class_logits(NoLogits(), True, "mine")
