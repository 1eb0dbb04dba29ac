"""Each stylizer does what its name says, checked on tiny synthetic pictures."""

from __future__ import annotations

import torch
from stylizer_helpers import one_thread, picture  # noqa: F401 (one_thread: autouse fixture)

from ganvas.plugins.stylizers import color_transfer, finishing, halftone, ink, oil, quantize, texture, upscale
from ganvas.plugins.stylizers.ops import from_lab, gaussian_blur, rgb_to_lab, to_lab
from ganvas.plugins.stylizers.smoothing import edge_preserving
from ganvas.plugins.stylizers.watercolor import watercolor


def step_edge(h: int = 24, w: int = 24) -> torch.Tensor:
    image = torch.full((1, 3, h, w), 0.2)
    image[..., w // 2 :] = 0.8
    return image


def test_lab_round_trip_and_known_values():
    images = torch.rand(2, 3, 5, 7)
    assert torch.allclose(from_lab(rgb_to_lab(images)), images, atol=1e-4)
    white = rgb_to_lab(torch.ones(1, 3, 1, 1)).flatten()
    assert torch.allclose(white, torch.tensor([100.0, 0.0, 0.0]), atol=0.05)
    assert to_lab(images[:, :1]).shape == (2, 1, 5, 7)


def test_gaussian_blur_keeps_constants_and_mean():
    flat = torch.full((2, 3, 9, 13), 0.4)
    for sigma in (0.5, 2.0, 9.0):
        assert torch.allclose(gaussian_blur(flat, sigma), flat, atol=1e-5)
    noise = torch.rand(1, 1, 40, 40)
    assert gaussian_blur(noise, 2.0).std() < noise.std() / 3


def test_kuwahara_keeps_edges_and_flattens_regions():
    image = step_edge() + 0.05 * torch.randn(1, 3, 24, 24, generator=torch.Generator().manual_seed(0))
    out = oil.kuwahara(image.clamp(0, 1), 3)
    assert out[..., :, :10].std() < image[..., :, :10].std() / 2  # flattened
    assert (out[..., :, 13:] - out[..., :, :11].mean()).abs().min() > 0.4  # the edge did not smear
    classic = oil.kuwahara(step_edge(), 2, classic=True)
    assert torch.allclose(classic, step_edge())


def test_edge_preserving_smooths_within_regions_only():
    image = step_edge(16, 32) + 0.04 * torch.randn(1, 3, 16, 32, generator=torch.Generator().manual_seed(1))
    out = edge_preserving(image, sigma_s=8, sigma_r=0.2)
    assert out[..., :, :14].std() < image[..., :, :14].std() / 2
    assert out[..., :, 18:].mean() - out[..., :, :14].mean() > 0.55


def test_watercolor_darkens_edges_and_is_seeded():
    image = step_edge(32, 32)
    out = watercolor(image, granulation=0, paper=0, wobble=0)
    assert out[..., 14:16].mean() < out[..., 4:10].mean() - 0.03  # pigment pools on the dark side
    assert out[..., 16:18].mean() < out[..., 24:30].mean() - 0.03  # and on the light side
    assert not torch.equal(watercolor(image, seed=1), watercolor(image, seed=2))


def test_ink_draws_dark_lines_on_white_paper():
    out = ink.ink(step_edge(32, 32).flip(-1), hatching=0)  # light left, dark right
    assert out[..., 2:8].min() > 0.95  # paper
    assert out.shape == (1, 3, 32, 32) and torch.allclose(out[:, 0], out[:, 1])  # black ink
    line = ink.ink(torch.full((1, 1, 32, 32), 0.9).index_fill(-1, torch.arange(15, 17), 0.5), hatching=0)
    assert line[..., 12:20].min() < 0.3 and line[..., 2:8].min() > 0.95  # a line at a thin dark stroke


def _bands(*tones: float, size: int = 48) -> torch.Tensor:
    """Vertical bands of the given grey tones, each ``size`` px wide."""
    return torch.cat([torch.full((1, 1, size, size), t) for t in tones], -1)


def test_ink_fills_deep_shadows_solid_and_hatches_only_the_midtones():
    out = ink.ink(_bands(0.05, 0.4, 0.95), hatching=2, spacing=5)
    inner = slice(8, 40)
    dark, mid, light = (out[..., inner, 48 * i + 8 : 48 * i + 40] for i in range(3))
    assert dark.max() < 0.05  # solid black, not a screen of hatch lines
    assert 0.3 < mid.mean() < 0.9 and mid.min() < 0.2 and mid.max() > 0.9  # lines on paper
    assert light.min() > 0.95
    lines_only = ink.ink(_bands(0.05, 0.4, 0.95), hatching=0)[..., inner, 56:88]
    assert lines_only.mean() > 0.95  # no hatching asked: mid-tones stay paper


def test_ink_shades_strong_colours_and_keeps_them_as_a_wash():
    orange = torch.tensor([0.95, 0.45, 0.1]).view(1, 3, 1, 1).expand(1, 3, 48, 48)
    grey = torch.full((1, 3, 48, 48), 0.95 * 0.299 + 0.45 * 0.587 + 0.1 * 0.114)  # the orange's luma
    black, white = torch.zeros(1, 3, 48, 48), torch.ones(1, 3, 48, 48)
    picture_ = torch.cat((black, orange, grey, white), -1)
    out = ink.ink(picture_, hatching=2)[..., 8:40, :]
    assert out[..., 56:88].mean() < out[..., 104:136].mean() - 0.05  # the orange is shaded, the grey less
    washed = ink.ink(picture_, hatching=2, color=1.0)[..., 8:40, 56:88]
    paper = washed.amax(1).flatten()  # the lightest channel of each pixel: the wash between the lines
    between = washed.flatten(2)[..., paper > paper.quantile(0.7)].mean(-1)[0]
    assert between[0] > between[2] + 0.2  # still orange under the ink


def test_posterize_and_palette_limit_the_colours():
    images = picture(b=2, h=20, w=20)
    out = quantize.posterize(images, colors=5)
    for item in out:
        assert len(torch.unique(item.flatten(1).T, dim=0)) <= 5
    preset = quantize.PRESETS["gameboy"]
    colours = torch.tensor([[int(c[i : i + 2], 16) / 255 for i in (0, 2, 4)] for c in preset])
    mapped = quantize.palette(images, colours, dither=0.5)
    used = torch.unique(mapped.permute(0, 2, 3, 1).reshape(-1, 3), dim=0)
    assert all(any(torch.allclose(u, c) for c in colours) for u in used)


def test_dither_mixes_neighbouring_colours_in_a_gradient():
    ramp = torch.linspace(0, 1, 64).view(1, 1, 1, 64).expand(1, 3, 8, 64).contiguous()
    black_white = torch.tensor([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    flat = quantize.palette(ramp, black_white)
    dithered = quantize.palette(ramp, black_white, dither=1.0)
    assert (flat[:, 0, :, 16:48].diff(dim=-1) != 0).sum() <= 8  # one boundary per row
    assert (dithered[:, 0, :, 16:48].diff(dim=-1) != 0).sum() > 40
    assert abs(dithered.mean() - 0.5) < 0.1


def test_pixel_art_is_made_of_flat_blocks():
    out = quantize.pixel(picture(b=1, h=24, w=30), block=6, colors=4)
    blocks = out.unfold(2, 6, 6).unfold(3, 6, 6)  # (B, C, 4, 5, 6, 6)
    assert (blocks.amax((-1, -2)) - blocks.amin((-1, -2))).max() == 0
    assert len(torch.unique(out[0].flatten(1).T, dim=0)) <= 4


def test_halftone_dot_area_follows_the_tone():
    for tone in (0.2, 0.5, 0.8):
        grey = torch.full((1, 1, 48, 48), tone)
        out = halftone.halftone(grey, cell=8)
        assert abs(out.mean() - tone) < 0.06
        assert ((out < 0.1) | (out > 0.9)).float().mean() > 0.6  # mostly pure ink or paper
    colour = halftone.halftone(torch.tensor([0.9, 0.1, 0.1]).view(1, 3, 1, 1).expand(1, 3, 32, 32))
    assert colour[:, 0].mean() > colour[:, 1].mean() + 0.3  # red stays red


def test_color_transfer_matches_lab_statistics():
    images = picture(b=1, h=24, w=24)
    reference = 0.2 + torch.rand(1, 3, 16, 16) * torch.tensor([0.6, 0.4, 0.3]).view(1, 3, 1, 1)
    out = color_transfer.color_transfer(images, reference)
    ours, theirs = to_lab(out), to_lab(reference)
    assert torch.allclose(ours.mean((2, 3)), theirs.mean((2, 3)), atol=2.0)
    assert torch.allclose(ours.std((2, 3)), theirs.std((2, 3)), rtol=0.15)
    assert torch.allclose(color_transfer.color_transfer(images, reference, strength=0.0), images, atol=1e-3)


def test_upscale_stays_within_the_local_range_and_sharpens():
    small = gaussian_blur(step_edge(12, 12), 1.0)
    plain = upscale.upscale(small, factor=4, sharpness=0)
    sharp = upscale.upscale(small, factor=4, sharpness=2)
    assert sharp.shape == (1, 3, 48, 48)
    assert sharp.min() >= small.min() - 1e-6 and sharp.max() <= small.max() + 1e-6  # no halos
    slope = lambda x: x[..., 24, :].diff(dim=-1).abs().max()  # noqa: E731
    assert slope(sharp) > slope(plain)


def test_finishing_touches():
    flat = torch.full((1, 3, 21, 31), 0.6)
    v = finishing.vignette(flat)
    assert torch.allclose(v[..., 10, 15], flat[..., 10, 15]) and v[..., 0, 0].max() < 0.45
    g1, g2 = finishing.grain(flat, seed=1), finishing.grain(flat, seed=2)
    assert not torch.equal(g1, g2) and abs(g1.mean() - 0.6) < 0.02 and g1.std() > 0.03
    assert torch.allclose(finishing.grain(flat, color=False)[:, 0], finishing.grain(flat, color=False)[:, 1])
    blurry = gaussian_blur(step_edge(), 1.5)
    sharp = finishing.sharpen(blurry, amount=2)
    assert sharp[..., 12:14].diff(dim=-1).abs().max() > blurry[..., 12:14].diff(dim=-1).abs().max()
    assert torch.equal(finishing.sharpen(flat, threshold=0.1), flat)


def test_texture_moves_the_picture_toward_the_reference_texture():
    images = torch.full((1, 3, 32, 32), 0.5)
    stripes = torch.zeros(1, 3, 32, 32)
    stripes[..., ::4, :] = 1.0
    out = texture.texture(images, stripes, steps=5, size=32, strength=1.0, progress=False)
    assert out.shape == images.shape and out.std() > 0.05  # structure appeared on a flat picture
    assert torch.equal(texture.texture(images, stripes, steps=0), images)
