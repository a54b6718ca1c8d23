using DiMml.TestSupport;
using DiMml.Torch.Calibration;
using DiMml.Torch.Data;
using DiMml.Torch.Inference;
using static TorchSharp.torch;

namespace DiMml.Torch.Tests;

[TestClass]
public sealed class CalibrationTests
{
    // Labels drawn from softmax(z / trueTemperature): the NLL-optimal temperature for z is close to trueTemperature.
    private static (Tensor Logits, Tensor Labels) Overconfident(int rows, int classes, double trueTemperature, int seed)
    {
        using var generator = new Generator((ulong)seed);
        var logits = randn(rows, classes, generator: generator) * 4;
        var labels = multinomial((logits / trueTemperature).softmax(1), 1, generator: generator).flatten();
        return (logits, labels);
    }

    [TestMethod]
    public void RecoversTheTemperatureThatGeneratedTheLabels()
    {
        using var scope = NewDisposeScope();
        var (sharp, labels) = Overconfident(20_000, 5, 2.5, seed: 1);
        var (flat, flatLabels) = Overconfident(20_000, 5, 0.5, seed: 2);
        var fitted = TemperatureScaling.Fit([sharp, flat.index_select(0, arange(20_000))], labels);
        Assert.AreEqual(2.5, fitted[0], 0.15);
        Assert.AreEqual(0.5, TemperatureScaling.Fit([flat], flatLabels)[0], 0.05);
    }

    [TestMethod]
    public void FittedTemperatureBeatsEveryTemperatureOnAGrid()
    {
        using var scope = NewDisposeScope();
        var (logits, labels) = Overconfident(3_000, 4, 1.7, seed: 3);
        var fitted = TemperatureScaling.Fit([logits], labels)[0];
        var best = TemperatureScaling.NegativeLogLikelihood([logits], labels, [fitted])[0];
        foreach (var t in Enumerable.Range(1, 80).Select(i => i * 0.05))
        {
            Assert.IsLessThanOrEqualTo(TemperatureScaling.NegativeLogLikelihood([logits], labels, [t])[0] + 1e-9, best, $"T = {t}");
        }
    }

    [TestMethod]
    public void CalibratedWeightingEqualsTheFormulaOnScaledLogits()
    {
        using var scope = NewDisposeScope();
        var random = new Random(7);
        var branches = Enumerable.Range(0, 3).Select(_ => tensor(Synthetic.RandomArray(random, 6 * 4, 3.0), [6, 4])).ToArray();
        double[] temperatures = [0.5, 2.0, 4.0];
        var (calibrated, calibratedWeights) = new CertaintyWeighting(3.0, temperatures).Fuse(branches);
        var (reference, referenceWeights) = new CertaintyWeighting(3.0).Fuse(branches.Select((b, k) => b / temperatures[k]).ToArray());
        Assert.IsTrue(calibrated.allclose(reference, 1e-5, 1e-6));
        Assert.IsTrue(calibratedWeights.allclose(referenceWeights, 1e-5, 1e-6));
    }

    [TestMethod]
    public void PreferredBranchesFallBackToTheAvailableOnesWhenAllAreMissing()
    {
        using var scope = NewDisposeScope();
        var random = new Random(8);
        var branches = Enumerable.Range(0, 3).Select(_ => tensor(Synthetic.RandomArray(random, 4 * 3, 2.0), [4, 3])).ToArray();
        var availability = ones(4, 3, dtype: ScalarType.Bool);
        availability[1, 1] = tensor(false);                     // row 1: the preferred branch is missing
        var weighting = new CertaintyWeighting(1.0, null, [false, true, false]);
        var (fused, weights) = weighting.Fuse(branches, availability);

        Assert.IsTrue(fused[0].allclose(branches[1][0]), "a row with the preferred branch uses it alone");
        Assert.AreEqual(1f, weights[0, 1].item<float>(), 1e-6f);
        var (fallback, _) = new CertaintyWeighting(1.0).Fuse([branches[0][1..2], branches[2][1..2]]);
        Assert.IsTrue(fused[1..2].allclose(fallback, 1e-5, 1e-6), "without it, the paper's weighting over the available branches");
        Assert.AreEqual(0f, weights[1, 1].item<float>());
    }

    [TestMethod]
    public void StratifiedSplitIsDisjointSeededAndKeepsClassShares()
    {
        using var data = Synthetic.Clusters(1_000, 2, 3, 4, separation: 1, seed: 9);
        using var split = HeldOutSplit.Stratified(data, 0.2, seed: 5);
        using var again = HeldOutSplit.Stratified(data, 0.2, seed: 5);
        using var other = HeldOutSplit.Stratified(data, 0.2, seed: 6);
        using var scope = NewDisposeScope();
        var held = Rows(split.HeldOut, data);
        var train = Rows(split.Train, data);

        Assert.AreEqual(200, held.Length);
        Assert.AreEqual(800, train.Length);
        Assert.IsEmpty(held.Intersect(train));
        var heldLabels = held.Select(i => data.Labels[i].item<long>()).GroupBy(y => y).ToDictionary(g => g.Key, g => g.Count());
        Assert.IsTrue(heldLabels.Values.All(c => c == 50), string.Join(", ", heldLabels));
        CollectionAssert.AreEqual(held, Rows(again.HeldOut, data));
        CollectionAssert.AreNotEqual(held, Rows(other.HeldOut, data));
    }

    [TestMethod]
    public void SplitThatLeavesASideEmptyIsRefused()
    {
        using var data = Synthetic.Clusters(4, 2, 3, 4, separation: 1, seed: 9);
        var error = Assert.ThrowsExactly<ArgumentException>(() => HeldOutSplit.Stratified(data, 0.1, seed: 1));
        StringAssert.Contains(error.Message, "ValidationSet");
    }

    // Identifies each served row by its first feature value (continuous, so unique).
    private static long[] Rows(IBatchSource subset, MultimodalDataset all)
    {
        var firstFeature = all.Features(0)[.., 0].data<float>().ToArray();
        var position = firstFeature.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => (long)p.i);
        using var order = BatchOrder.Sequential(subset.Count);
        var rows = new List<long>();
        BatchOrder.ForEachScoped(subset.Batches(order, 64, CPU), batch =>
            rows.AddRange(batch.Inputs[0][.., 0].data<float>().ToArray().Select(v => position[v])));
        return rows.ToArray();
    }
}
