import pytest
import torch
from torch import nn

from ganvas.plugins.regularizers.noise import InstanceNoise, NoisyDiscriminator
from ganvas.plugins.regularizers.packing import Pack, PackedDiscriminator, pack
from ganvas.plugins.regularizers.penalties import R1, r1_penalty
from ganvas.plugins.regularizers.spectral import SpectralNorm


def test_r1_penalty_of_a_linear_critic_is_its_squared_norm():
    D = nn.Linear(3, 1, bias=False)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[1.0, 2.0, 2.0]]))
    real = torch.randn(5, 3)
    assert r1_penalty(lambda x: D(x).squeeze(1), real).item() == pytest.approx(9.0)


def test_r1_is_lazy_and_scaled_by_its_interval():
    D = nn.Linear(2, 1, bias=False)
    reg = R1(gamma=2.0, every=4)
    real = torch.randn(6, 2)
    assert reg.d_reg(3, lambda x: D(x).squeeze(1), real, lambda x: x) is None
    result = reg.d_reg(8, lambda x: D(x).squeeze(1), real, lambda x: x)
    norm2 = D.weight.square().sum().item()
    assert result.loss.item() == pytest.approx(0.5 * 2.0 * 4 * norm2, rel=1e-5)
    result.loss.backward()
    assert D.weight.grad is not None and (D.weight.grad * D.weight).sum() > 0  # shrinks the weights


def test_spectral_norm_bounds_the_largest_singular_value():
    torch.manual_seed(0)
    D = nn.Sequential(nn.Linear(8, 16), nn.LeakyReLU(0.2), nn.Conv1d(1, 1, 1), nn.Linear(16, 1))
    with torch.no_grad():
        D[0].weight.mul_(10)
    assert torch.linalg.matrix_norm(D[0].weight, ord=2) > 5
    SpectralNorm(iterations=1).wrap_discriminator(D)
    for _ in range(20):  # power iteration converges as the forward pass runs
        D[0](torch.randn(4, 8))
    assert torch.linalg.matrix_norm(D[0].weight, ord=2).item() == pytest.approx(1.0, abs=0.02)


def test_pack_reshapes_groups_of_m():
    items = torch.arange(6 * 2).float().view(6, 2)
    packed = pack(items, 3)
    assert packed.shape == (2, 6)
    assert packed[0].tolist() == items[:3].flatten().tolist()
    images = torch.randn(4, 3, 8, 8)
    assert pack(images, 2).shape == (2, 6, 8, 8)
    assert torch.equal(pack(images, 2)[1, 3:], images[3])
    reg = Pack(m=4)
    assert reg.discriminator_shape((3, 8, 8)) == (12, 8, 8) and reg.discriminator_shape((2,)) == (8,)
    assert reg.check(10) and not reg.check(12)
    D = PackedDiscriminator(nn.Linear(8, 1), 4)
    assert D(torch.randn(12, 2)).shape == (3, 1)


def test_instance_noise_anneals_to_zero():
    reg = InstanceNoise(sigma=0.4, until=0.5)
    assert [reg.sigma_at(step, 100) for step in (0, 25, 50, 80)] == pytest.approx([0.4, 0.2, 0.0, 0.0])
    quadratic = InstanceNoise(sigma=0.4, until=0.5, schedule="quadratic")
    assert [quadratic.sigma_at(step, 100) for step in (0, 25, 50, 80)] == pytest.approx([0.4, 0.1, 0.0, 0.0])
    assert InstanceNoise(sigma=0.4, until=0).sigma_at(99, 100) == 0.4  # until = 0: constant


class _Inputs(nn.Module):
    """A 'discriminator' that returns what it was given, to see the noise."""

    def forward(self, x):
        return x


def test_instance_noise_blurs_training_inputs_only():
    reg = InstanceNoise(sigma=0.5, until=1.0)
    D = reg.wrap_discriminator(_Inputs())
    x = torch.zeros(20000, 2)
    torch.manual_seed(0)
    assert D(x).std().item() == pytest.approx(0.5, rel=0.03)
    reg.start_step(75, 100)  # a quarter of the way from the end of the schedule
    assert D(x).std().item() == pytest.approx(0.125, rel=0.03)
    D.eval()
    assert torch.equal(D(x), x)
    reg.start_step(100, 100)
    D.train()
    assert torch.equal(D(x), x)


def test_trainer_drives_the_instance_noise_schedule(host, tmp_path):
    from ganvas.plugin.testing import tiny_recipe
    from ganvas.recipe import parse_recipe
    from ganvas.training.loop import Trainer

    raw = tiny_recipe(train={"steps": 4, "sample_every": 0})
    raw["regularize"] = [{"name": "instance-noise", "sigma": 0.8, "until": 1.0}, {"name": "pack", "m": 2}]
    trainer = Trainer(parse_recipe(raw, host.registry), tmp_path, host, quiet=True)
    noisy = trainer.method.D.inner
    assert isinstance(trainer.method.D, PackedDiscriminator) and isinstance(noisy, NoisyDiscriminator)
    trainer.run()
    assert noisy.sigma == pytest.approx(0.8 * (1 - 3 / 4))  # set before the last step (step 3 of 4)


def test_trainer_runs_with_every_regularizer_and_stable_loss(host, tmp_path):
    from ganvas.plugin.testing import tiny_recipe
    from ganvas.recipe import parse_recipe
    from ganvas.training.loop import Trainer

    for loss in ("wgan", "wgan-gp", "hinge", "relativistic"):
        raw = tiny_recipe(loss={"name": loss}, train={"steps": 3, "sample_every": 0})
        raw["regularize"] = [{"name": "r1", "every": 2}, {"name": "spectral-norm"}, {"name": "pack", "m": 2}]
        recipe = parse_recipe(raw, host.registry)
        run = tmp_path / loss
        run.mkdir()
        trainer = Trainer(recipe, run, host, quiet=True)
        trainer.run()
        assert trainer.step == 3
        assert isinstance(trainer.method.D, PackedDiscriminator)
    wgan = Trainer(parse_recipe(tiny_recipe(loss={"name": "wgan"}), host.registry), tmp_path, host, quiet=True)
    assert isinstance(wgan.method.opt_d, torch.optim.RMSprop) and wgan.method.n_critic == 5


def test_pack_needs_a_divisible_batch(host, tmp_path):
    from ganvas.errors import UserInputError
    from ganvas.plugin.testing import tiny_recipe
    from ganvas.recipe import parse_recipe
    from ganvas.training.loop import Trainer

    raw = tiny_recipe(train={"batch": 6})
    raw["regularize"] = [{"name": "pack", "m": 4}]
    with pytest.raises(UserInputError, match="not a multiple of pack m=4"):
        Trainer(parse_recipe(raw, host.registry), tmp_path, host, quiet=True)
