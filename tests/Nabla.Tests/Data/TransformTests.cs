using Nabla.Data;

namespace Nabla.Tests.Data;

public class TransformTests
{
    private static Tensor Grid(int n, int c, int h, int w) => Tensor.Arange(n * c * h * w).Reshape(n, c, h, w);

    [Fact]
    public void Flips_mirror_exactly_and_p_one_flips_every_image()
    {
        var x = Grid(2, 1, 2, 3); // rows [0 1 2] [3 4 5]
        var h = new RandomFlip(p: 1f).Apply(x, new Generator(1));
        Assert.Equal([2f, 1f, 0f, 5f, 4f, 3f], h.Select(0, 0).Reshape(-1).ToArray());
        var v = new RandomFlip(vertical: true, p: 1f).Apply(x, new Generator(1));
        Assert.Equal([3f, 4f, 5f, 0f, 1f, 2f], v.Select(0, 0).Reshape(-1).ToArray());
        Assert.True(new RandomFlip(p: 0f).Apply(x, new Generator(1)).ValueEquals(x));
    }

    [Fact]
    public void Quarter_turns_and_whole_pixel_shifts_move_pixels_exactly()
    {
        var x = Grid(1, 1, 3, 3); // [[0 1 2] [3 4 5] [6 7 8]]
        Assert.True(Images.Affine(x, 0f).AllClose(x));
        var turned = Images.Affine(x, 90f).Reshape(-1).ToArray();
        // A quarter turn counter-clockwise as displayed: the right column becomes the top row.
        Assert.Equal([2f, 5f, 8f, 1f, 4f, 7f, 0f, 3f, 6f], turned.Select(v => MathF.Round(v, 4)).ToArray());
        var shifted = Images.Affine(x, 0f, tx: 1f, fill: -1f).Reshape(-1).ToArray();
        Assert.Equal([-1f, 0f, 1f, -1f, 3f, 4f, -1f, 6f, 7f], shifted);
    }

    [Fact]
    public void Random_crop_with_padding_shows_a_shifted_window_of_the_padded_image()
    {
        var x = Grid(4, 1, 4, 4) + 1f;
        var y = new RandomCrop(2).Apply(x, new Generator(3));
        Assert.Equal(x.Shape, y.Shape);
        for (var i = 0; i < 4; i++)
        {
            var src = x.Select(0, i).Reshape(-1).ToArray();
            var got = y.Select(0, i).Reshape(-1).ToArray();
            var found = false;
            for (var dy = -2; dy <= 2 && !found; dy++)
            for (var dx = -2; dx <= 2 && !found; dx++)
            {
                found = Enumerable.Range(0, 16).All(k =>
                {
                    int r = k / 4 + dy, c = k % 4 + dx;
                    var e = r is >= 0 and < 4 && c is >= 0 and < 4 ? src[r * 4 + c] : 0f;
                    return got[k] == e;
                });
            }
            Assert.True(found, $"image {i} is not a window of its padded source");
        }
    }

    [Fact]
    public void Augmentation_is_reproducible_by_seed_and_the_loader_applies_it_per_epoch_and_batch()
    {
        var images = Tensor.Rand([6, 1, 8, 8], new Generator(4));
        var augment = new Compose(new RandomAffine(degrees: 15, translate: 0.1f, minScale: 0.9f, maxScale: 1.1f), new GaussianNoise(0.05f));
        Assert.True(augment.Apply(images, new Generator(5)).ValueEquals(augment.Apply(images, new Generator(5))));
        Assert.False(augment.Apply(images, new Generator(5)).ValueEquals(augment.Apply(images, new Generator(6))));

        var data = new TensorDataset(images, Tensor.Arange(6));
        var a = new DataLoader(data, 3, shuffle: true, seed: 9, transform: augment);
        var b = new DataLoader(data, 3, shuffle: true, seed: 9, transform: augment, prefetch: true);
        var e1a = a.Epoch(1).Select(x => x.Input.ToArray()).ToList();
        Assert.Equal(e1a, b.Epoch(1).Select(x => x.Input.ToArray()).ToList());
        Assert.Equal(e1a[1], a.Epoch(1, startBatch: 1).First().Input.ToArray());
        Assert.NotEqual(a.Epoch(0).First().Input.ToArray(), a.Epoch(2).First().Input.ToArray());
    }

    [Fact]
    public void Normalize_and_noise_statistics()
    {
        var x = Tensor.Ones(2, 2, 3, 3);
        var y = new Normalize([0.5f, 2f], [0.5f, 4f]).Apply(x, new Generator(1));
        Assert.All(y.Select(1, 0).ToArray(), v => Assert.Equal(1f, v));
        Assert.All(y.Select(1, 1).ToArray(), v => Assert.Equal(-0.25f, v));
        var noisy = new GaussianNoise(0.5f).Apply(Tensor.Zeros(1, 1, 100, 100), new Generator(2));
        Assert.InRange(noisy.Std().Item(), 0.48f, 0.52f);
        Assert.Contains("expected images [N, C, H, W]", Assert.Throws<ArgumentException>(() => new RandomFlip().Apply(Tensor.Zeros(3, 3), new Generator(1))).Message);
    }
}
