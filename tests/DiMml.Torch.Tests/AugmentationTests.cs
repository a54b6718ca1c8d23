using DiMml.Torch.Data;
using DiMml.Torch.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Tests;

[TestClass]
public sealed class AugmentationTests
{
    private static readonly ModalityShape Shape = new(2, 2, 5, 6);

    [TestMethod]
    public void FlipLeavesOrMirrorsEachSample()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var batch = randn(16, Shape.Size);
        var flipped = new Augmentation(AugmentationCrop.None, true).Apply(batch, Shape, generator).reshape(16, 4, 5, 6);
        var original = batch.reshape(16, 4, 5, 6);
        var same = flipped.eq(original).flatten(1).all(1);
        var mirrored = flipped.eq(original.flip(3)).flatten(1).all(1);
        Assert.IsTrue(same.logical_or(mirrored).all().item<bool>());
        Assert.IsTrue(mirrored.any().item<bool>() && same.any().item<bool>(), "16 samples at p = 1/2 give both outcomes");
    }

    [TestMethod]
    public void CropIsAShiftedWindowOfThePaddedSampleSharedByAllFrames()
    {
        const int padding = 2;
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        var batch = rand(8, Shape.Size) + 1;   // strictly positive, so padding zeros are recognisable
        var cropped = Augmentation.PadCrop(padding).Apply(batch, Shape, generator).reshape(8, 4, 5, 6);
        var padded = nn.functional.pad(batch.reshape(8, 4, 5, 6), [padding, padding, padding, padding]);
        for (var i = 0; i < 8; i++)
        {
            var found = Enumerable.Range(0, 2 * padding + 1).SelectMany(dy => Enumerable.Range(0, 2 * padding + 1).Select(dx => (dy, dx)))
                .Any(o => padded[i, .., o.dy..(o.dy + 5), o.dx..(o.dx + 6)].equal(cropped[i]).all().item<bool>());
            Assert.IsTrue(found, $"sample {i} is not a window of its padded input");
        }
    }

    [TestMethod]
    public void SameGeneratorSeedGivesTheSameAugmentation()
    {
        using var scope = NewDisposeScope();
        var batch = randn(6, Shape.Size);
        var augmentation = Augmentation.PadCrop(1, flip: true);
        using var a = new Generator(9);
        using var b = new Generator(9);
        Assert.IsTrue(augmentation.Apply(batch, Shape, a).equal(augmentation.Apply(batch, Shape, b)).all().item<bool>());
    }

    [TestMethod]
    public void FullBoxResizedCropIsTheIdentity()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var batch = randn(4, Shape.Size);
        var whole = new Augmentation(AugmentationCrop.ResizedCrop, false)
        {
            MinScale = 1,
            MaxScale = 1,
            MinAspectRatio = 1.2,
            MaxAspectRatio = 1.2
        };
        Assert.IsTrue(whole.Apply(batch, Shape, generator).allclose(batch, rtol: 1e-5, atol: 1e-5), "a 6 x 5 box of a 6 x 5 image " +
            "resized to itself");
    }

    // On a ramp image (value = column, or row), crop-then-bilinear-resize gives, at output position c, the box's first
    // pixel plus (c + 1/2) w / W − 1/2, clamped to the box: so each output line is that ramp for some integer box.
    [TestMethod]
    [DataRow(false, DisplayName = "horizontal: box left and width, flips")]
    [DataRow(true, DisplayName = "vertical: box top and height")]
    public void ResizedCropIsABoxOfTheImageResizedBilinearly(bool vertical)
    {
        const int side = 32;
        using var scope = NewDisposeScope();
        using var generator = new Generator(6);
        var shape = new ModalityShape(1, 1, side, side);
        var ramp = arange(side, dtype: ScalarType.Float32).expand(side, side);
        var image = (vertical ? ramp.t() : ramp).reshape(1, -1).expand(64, -1).contiguous();
        var output = Augmentation.Paper.Apply(image, shape, generator).reshape(64, side, side);
        var sizes = new HashSet<int>();
        for (var i = 0; i < 64; i++)
        {
            var line = (vertical ? output[i, .., side / 2] : output[i, side / 2]).data<float>().ToArray();
            var values = line[0] > line[^1] ? line.Reverse().ToArray() : line;
            var match = Enumerable.Range(1, side).SelectMany(w => Enumerable.Range(0, side - w + 1).Select(start => (w, start)))
                .FirstOrDefault(box =>
                    values.Select((v, c) =>
                        Math.Abs(v - Math.Clamp(box.start + ((c + 0.5) * box.w / side) - 0.5, box.start, box.start + box.w - 1)))
                            .Max() < 1e-3);
            Assert.AreNotEqual(0, match.w, $"sample {i} is not a bilinear resize of a box: {string.Join(", ", line.Take(6))} ...");
            sizes.Add(match.w);
        }

        Assert.IsGreaterThan(10, sizes.Count, "box sizes vary");
        Assert.IsGreaterThanOrEqualTo(Math.Floor(Math.Sqrt(0.08 * 0.75) * side), sizes.Min(), "no box side below 8 % of the area at " +
            "ratio 3/4");
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void FramesDrawTheirOwnCropOnlyWhenPerFrame(bool perFrame)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(8);
        var frame = rand(16, 1, 2 * 5 * 6);
        var batch = cat([frame, frame], 1).reshape(16, -1);   // two identical frames per sample
        var augmented = (Augmentation.Paper with { PerFrame = perFrame }).Apply(batch, Shape, generator).reshape(16, 2, 60);
        var framesEqual = augmented[.., 0].eq(augmented[.., 1]).all(1);
        if (perFrame)
        {
            Assert.IsFalse(framesEqual.any().item<bool>(), "every sample's frames differ");
        }
        else
        {
            Assert.IsTrue(framesEqual.all().item<bool>(), "frames share one crop and flip");
        }
    }

    [TestMethod]
    public void ImpossibleSettingsAreNamed()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => (Augmentation.Paper with { MinScale = 0 }).Validate("rgb"));
        StringAssert.Contains(error.Message, "'rgb'");
        StringAssert.Contains(error.Message, "scale");
        error = Assert.ThrowsExactly<ArgumentException>(() => (Augmentation.Paper with { MinAspectRatio = 2 }).Validate("rgb"));
        StringAssert.Contains(error.Message, "aspect-ratio");
    }
}
