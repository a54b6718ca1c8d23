using DiMml.TestSupport;
using DiMml.Torch.Inference;
using static TorchSharp.torch;

namespace DiMml.Torch.Tests;

[TestClass]
public sealed class CertaintyWeightingTests
{
    private static double[] Softmax(double[] z)
    {
        var max = z.Max();
        var e = z.Select(v => Math.Exp(v - max)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    // z = Σ_k w_k z_k with w = softmax_k(max softmax(z_k) / T), over the listed branches only.
    private static double[] Formula(float[][] branchRow, double temperature, int[] branches)
    {
        var certainty = branches.Select(k => Softmax(branchRow[k].Select(v => (double)v).ToArray()).Max() / temperature).ToArray();
        var w = Softmax(certainty);
        return Enumerable.Range(0, branchRow[0].Length).Select(c => branches.Select((k, i) => w[i] * branchRow[k][c]).Sum()).ToArray();
    }

    [TestMethod]
    public void EqualsTheFormula()
    {
        var random = new Random(4);
        foreach (var temperature in new[] { 1.0, 3.0 })
        {
            var logits = Enumerable.Range(0, 3).Select(_ => Synthetic.RandomArray(random, 5 * 4, 2.0)).ToArray();
            using var scope = NewDisposeScope();
            var (fused, weights) = new CertaintyWeighting(temperature).Fuse(logits.Select(l => tensor(l, [5, 4])).ToArray());
            var actual = fused.data<float>().ToArray();
            for (var row = 0; row < 5; row++)
            {
                var expected = Formula(logits.Select(l => l.Skip(row * 4).Take(4).ToArray()).ToArray(), temperature, [0, 1, 2]);
                for (var c = 0; c < 4; c++)
                {
                    Assert.AreEqual(expected[c], actual[row * 4 + c], 1e-5);
                }
            }

            Assert.AreEqual(5f, weights.sum().item<float>(), 1e-5f);
        }
    }

    [TestMethod]
    public void MaskedModalityEqualsWeightingOverRemainingBranches()
    {
        var random = new Random(5);
        using var scope = NewDisposeScope();
        var inputs = new[] { tensor(Synthetic.RandomArray(random, 6 * 3), [6, 3]), tensor(Synthetic.RandomArray(random, 6 * 3), [6, 3]) };
        inputs[1][2] = full(3, float.NaN);
        var branchLogits = Enumerable.Range(0, 3).Select(_ => tensor(Synthetic.RandomArray(random, 6 * 4, 2.0), [6, 4])).ToArray();
        var availability = CertaintyWeighting.BranchAvailability(CertaintyWeighting.ModalityAvailability(inputs),
            includeFusionBranch: true);
        var (fused, weights) = new CertaintyWeighting().Fuse(branchLogits, availability);

        var (alone, _) = new CertaintyWeighting().Fuse([branchLogits[0][2..3]]);
        var expectedRow = alone.data<float>().ToArray();
        CollectionAssert.AreEqual(expectedRow, fused[2].data<float>().ToArray(), new FloatComparer(1e-6f));
        CollectionAssert.AreEqual(new[] { 1f, 0f, 0f }, weights[2].data<float>().ToArray());

        var (full3, _) = new CertaintyWeighting().Fuse(branchLogits.Select(b => b[0..1]).ToArray());
        CollectionAssert.AreEqual(full3.data<float>().ToArray(), fused[0].data<float>().ToArray(), new FloatComparer(1e-6f));
    }

    [TestMethod]
    public void RowWithNoAvailableBranchIsNaN()
    {
        using var scope = NewDisposeScope();
        var availability = tensor(new[] { true, false, false, false }, [2, 2]);
        var (fused, weights) = new CertaintyWeighting().Fuse([randn(2, 3), randn(2, 3)], availability);
        Assert.IsFalse(fused[0].isnan().any().item<bool>());
        Assert.IsTrue(fused[1].isnan().all().item<bool>());
        Assert.IsTrue(weights[1].isnan().all().item<bool>());
    }

    private sealed class FloatComparer(float tolerance) : System.Collections.IComparer
    {
        public int Compare(object? x, object? y) => Math.Abs((float)x! - (float)y!) <= tolerance ? 0 : 1;
    }
}
