using DiMml.Torch.Modules;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Tests;

/// <summary>The initialisation follows the DI-MML authors' code: Xavier-normal fusion head with zero bias, batch-norm
/// scales N(1, 0.02), Kaiming (fan-out) convolutions, PyTorch's default for the other linear layers.</summary>
[TestClass]
public sealed class ParameterInitTests
{
    private static MultimodalNetwork Network(FusionHeadKind fusion) => new(
        [new ResNet18Encoder(new ModalityShape(1, 1, 12, 12), 64), new MlpEncoder(30, [64], 64)], 10, fusion, seed: 4);

    [TestMethod]
    [DataRow(FusionHeadKind.Concat)]
    [DataRow(FusionHeadKind.Sum)]
    [DataRow(FusionHeadKind.Film)]
    [DataRow(FusionHeadKind.Gated)]
    public void FusionHeadIsXavierNormalWithZeroBias(FusionHeadKind fusion)
    {
        using var network = Network(fusion);
        var layers = network.FusionHead!.named_modules().Select(m => m.module).OfType<Linear>().ToList();
        Assert.IsNotEmpty(layers);
        foreach (var layer in layers)
        {
            var (rows, columns) = (layer.weight!.shape[0], layer.weight.shape[1]);
            var expected = Math.Sqrt(2.0 / (rows + columns));
            var std = layer.weight.std().item<float>();
            Assert.AreEqual(expected, std, expected * 0.15, $"{rows}x{columns} weight std");
            Assert.AreEqual(0f, layer.bias!.abs().max().item<float>());
        }
    }

    [TestMethod]
    public void BatchNormScalesAreNearOneAndShiftsZero()
    {
        using var network = Network(FusionHeadKind.None);
        var scales = cat(network.named_parameters()
            .Where(p => p.name.Contains("bn") || p.name.Contains("Norm.") || p.name.Contains("downsample.1"))
            .Where(p => p.name.EndsWith("weight", StringComparison.Ordinal)).Select(p => p.parameter.detach().flatten()).ToArray());
        Assert.AreEqual(1.0, scales.mean().item<float>(), 0.01);
        Assert.AreEqual(0.02, scales.std().item<float>(), 0.005, "scales drawn from N(1, 0.02), not all 1");
    }

    [TestMethod]
    public void SameSeedGivesTheSameWeights()
    {
        using var first = Network(FusionHeadKind.Concat);
        using var second = Network(FusionHeadKind.Concat);
        foreach (var (name, value) in first.state_dict())
        {
            Assert.IsTrue(value.equal(second.state_dict()[name]).all().item<bool>(), name);
        }
    }
}
