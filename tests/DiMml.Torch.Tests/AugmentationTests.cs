using DiMml.Torch.Data;
using DiMml.Torch.Modules;
using TorchSharp;
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
        var flipped = new Augmentation(0, true).Apply(batch, Shape, generator).reshape(16, 4, 5, 6);
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
        var cropped = new Augmentation(padding, false).Apply(batch, Shape, generator).reshape(8, 4, 5, 6);
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
        var augmentation = new Augmentation(1, true);
        using var a = new Generator(9);
        using var b = new Generator(9);
        Assert.IsTrue(augmentation.Apply(batch, Shape, a).equal(augmentation.Apply(batch, Shape, b)).all().item<bool>());
    }
}
