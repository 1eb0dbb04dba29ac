"""ganvas.plugin.testing's contract checks: each passes on built-in components and names what is
wrong with a broken one. (check_stylizer, use_plugins and the scaffold: tests/core/cli/test_plugins.py.)"""

import re

import pytest
import torch
from torch import nn

from ganvas import ImageSet, LogitLoss, Loss, Networks, PhaseResult, PointSet
from ganvas.plugin.testing import (
    check_architecture,
    check_callback,
    check_dataset,
    check_loss,
    check_method,
    make_host,
)


@pytest.fixture(scope="module")
def build():
    """``build(kind, name, *args, **params)`` against a host with only the built-ins."""
    host = make_host()
    return lambda kind, name, *args, **params: host.get(kind, name).build(*args, **params)


# -- architectures ------------------------------------------------------------------------------


class Flat(nn.Module):
    """A dense generator (``how`` picks its flaw) or discriminator with ``out`` logits per item."""

    def __init__(self, size_in, size_out, how="fine"):
        super().__init__()
        self.linear, self.how, self.size_out = nn.Linear(size_in, size_out), how, size_out

    def forward(self, x):
        if self.how == "raise":
            raise RuntimeError("mat1 and mat2 shapes cannot be multiplied")
        y = self.linear(x.flatten(1))
        if self.how == "detached":
            y = y.detach()
        if self.how == "nan":
            y = y * float("nan")
        return y if self.how == "no-tanh" else torch.tanh(y)


def networks(how="fine", logits=1, shape=(1, 4, 4)):
    size = shape[0] * shape[1] * shape[2]

    class G(Flat):
        def forward(self, z):
            out = super().forward(z)
            return out.view(len(z), *shape) if how != "shape" else out

    return Networks(G(3, size, how), Flat(size, logits, "no-tanh"), 3)


def test_check_architecture_passes_the_builtins(build):
    check_architecture(lambda shape: build("architectures", "dcgan", shape, z_dim=8, width=8))
    check_architecture(lambda shape: build("architectures", "mlp", shape, z_dim=4, width=8, depth=1), (2,))
    check_architecture(networks(), (1, 4, 4))


@pytest.mark.parametrize(
    "broken, complaint",
    [
        (lambda: networks("no-tanh"), "expected [-1, 1]"),
        (lambda: networks("shape"), "expected float (4, 1, 4, 4)"),
        (lambda: networks(logits=2), "its discriminator gave (4, 2), expected one logit per item"),
        (lambda: networks("nan"), "returned NaN or inf values"),
        (lambda: networks("detached"), "no gradient reached the generator's parameters"),
        (lambda: networks("raise"), "its generator on z of shape (4, 3) raised RuntimeError('mat1 and mat2"),
        (lambda: (networks().generator, networks().discriminator), "returned tuple, expected ganvas.Networks"),
    ],
)
def test_check_architecture_names_what_is_wrong(broken, complaint):
    with pytest.raises(AssertionError, match=re.escape(complaint)):
        check_architecture(lambda shape: broken(), (1, 4, 4))


# -- datasets -----------------------------------------------------------------------------------


class Bright(ImageSet):
    def batch(self, indices):
        return self.data[indices].float()  # forgot the scaling to [-1, 1]


def test_check_dataset_passes_the_builtins(build):
    check_dataset(build("datasets", "procedural", "circles", size=16, count=4), (3, 16, 16))
    check_dataset(build("datasets", "toy2d", "grid", count=64), (2,))


@pytest.mark.parametrize(
    "broken, shape, complaint",
    [
        (lambda: torch.zeros(4, 3, 8, 8), None, "dataset Tensor: expected a ganvas.ImageSet or ganvas.PointSet"),
        (lambda: ImageSet(torch.zeros(4, 3, 8, 8, dtype=torch.uint8)), (3, 16, 16), "expected (3, 16, 16)"),
        (lambda: ImageSet(torch.zeros(4, 4, 8, 8, dtype=torch.uint8)), None, "with C = 1 or 3"),
        (lambda: PointSet(torch.tensor([[0.0, 1.0], [float("nan"), 0.0]])), None, "has NaN or inf points"),
        (lambda: Bright(torch.full((4, 3, 8, 8), 200, dtype=torch.uint8)), None, "values in [200, 200]"),
    ],
)
def test_check_dataset_names_what_is_wrong(broken, shape, complaint):
    with pytest.raises(AssertionError, match=re.escape(complaint)):
        check_dataset(broken(), shape)


# -- losses -------------------------------------------------------------------------------------


class Shaky(LogitLoss):
    def __init__(self, how):
        self.how = how

    def d_loss(self, real_logits, fake_logits):
        loss = (real_logits - fake_logits).mean()
        return {"nan": loss * float("nan"), "detached": loss.detach(), "vector": real_logits}.get(self.how, loss)

    def g_loss(self, fake_logits):
        return -fake_logits.mean()

    def __repr__(self):
        return f"Shaky({self.how!r})"


class Bare(Loss):
    def d_phase(self, G, D, real, z, augment):
        return D(real).mean()  # the tensor, not a PhaseResult


@pytest.mark.parametrize("name", ["nonsaturating", "lsgan", "hinge", "relativistic", "wgan", "wgan-gp"])
def test_check_loss_passes_the_builtins(build, name):
    check_loss(build("losses", name))


@pytest.mark.parametrize(
    "broken, complaint",
    [
        (Shaky("nan"), "loss Shaky('nan'): d_phase's loss is nan, expected a finite number"),
        (Shaky("detached"), "d_phase's loss has no gradient"),
        (Shaky("vector"), "d_phase's loss is Tensor torch.Size([4]), not a scalar"),
        (Bare(), "d_phase returned Tensor, expected ganvas.PhaseResult"),
        (LogitLoss(), "d_phase(G, D, real, z, augment) raised NotImplementedError"),
        (nn.BCEWithLogitsLoss(), "loss BCEWithLogitsLoss: expected a ganvas.Loss"),
    ],
)
def test_check_loss_names_what_is_wrong(broken, complaint):
    check_loss(Shaky("fine"))
    with pytest.raises(AssertionError, match=re.escape(complaint)):
        check_loss(broken)


def test_check_loss_wants_gradients_for_the_generator():
    class Frozen(Shaky):
        def g_phase(self, G, D, real, z, augment):
            with torch.no_grad():
                fake = G(z)
            return PhaseResult(-D(fake).mean())

    with pytest.raises(AssertionError, match="g_phase: no gradient reached the generator's parameters"):
        check_loss(Frozen("fine"))


# -- callbacks and methods (each trains a tiny recipe 2 steps) ----------------------------------


class Recorder:
    """A callback that takes every documented argument and logs each step."""

    def __init__(self, fail=False):
        self.calls, self.fail = [], fail

    def on_train_start(self, trainer):
        self.calls.append(("start", trainer.step))

    def on_step_end(self, trainer, step, stats):
        if self.fail:
            raise ValueError("the callback broke")
        trainer.log(f"step {step}: {sorted(stats)}")
        self.calls.append(("step", step))

    def on_sample(self, step, images, path):
        self.calls.append(("sample", tuple(images.shape[1:])))

    def on_checkpoint(self, path):
        self.calls.append(("checkpoint", path.suffix))

    def on_train_end(self, trainer, step, reason):
        self.calls.append(("end", reason))


def test_check_callback_trains_with_it():
    recorder = Recorder()
    check_callback(recorder)
    assert recorder.calls[0] == ("start", 0) and recorder.calls[-1] == ("end", "finished")
    assert {("step", 1), ("step", 2), ("sample", (3, 16, 16))} <= set(recorder.calls)
    assert any(kind == "checkpoint" for kind, _ in recorder.calls)


def test_check_callback_names_what_is_wrong():
    with pytest.raises(AssertionError, match="has none of the lifecycle methods on_train_start, on_step_end"):
        check_callback(object())

    class Misnamed:
        def on_step_end(self, trainer, loss):
            pass

    with pytest.raises(AssertionError, match=r"on_step_end takes 'loss'; its hook passes trainer, step, stats"):
        check_callback(Misnamed(), train=False)
    with pytest.raises(
        AssertionError, match="(?s)failed: .*failed in hook on_step_end: ValueError: the callback broke"
    ):
        check_callback(Recorder(fail=True))


def test_check_method_trains_with_it_and_fails_on_nan_stats():
    gan = make_host().get("methods", "gan").load()
    check_method(gan, {"collapse_watch": False})

    class Diverging(gan):
        def train_step(self, step):
            return {**super().train_step(step), "Loss/G": torch.tensor(float("nan"))}

    with pytest.raises(AssertionError, match="method .*Diverging: a 2-step tiny training with it failed"):
        check_method(Diverging)
