using DiMml.TestSupport;
using DiMml.Torch.Losses;
using static TorchSharp.torch;

namespace DiMml.Torch.Tests;

[TestClass]
public sealed class EffectiveDimensionsTests
{
    // One sample, one dimension at a time, exactly as the definition reads.
    private static int[] NaiveEffective(float[,] f, int[] y, int classes)
    {
        int n = f.GetLength(0), width = f.GetLength(1);
        var prototypes = new double[classes, width];
        var counts = new int[classes];
        for (var i = 0; i < n; i++)
        {
            counts[y[i]]++;
            for (var d = 0; d < width; d++)
            {
                prototypes[y[i], d] += f[i, d];
            }
        }

        var scores = new float[width];
        var dead = new bool[width];
        for (var d = 0; d < width; d++)
        {
            for (var c = 0; c < classes; c++)
            {
                prototypes[c, d] /= counts[c];
            }

            var hits = 0;
            double min = double.MaxValue, max = double.MinValue;
            for (var i = 0; i < n; i++)
            {
                min = Math.Min(min, f[i, d]);
                max = Math.Max(max, f[i, d]);
                var best = 0;
                for (var c = 1; c < classes; c++)
                {
                    if (Math.Abs(f[i, d] - prototypes[c, d]) < Math.Abs(f[i, d] - prototypes[best, d]))
                    {
                        best = c;
                    }
                }

                hits += best == y[i] ? 1 : 0;
            }

            scores[d] = (float)((double)hits / n);
            dead[d] = min == max;
        }

        var live = Enumerable.Range(0, width).Where(d => !dead[d]).ToArray();
        var threshold = live.Average(d => (double)scores[d]);
        return live.Where(d => scores[d] > threshold).ToArray();
    }

    // ReLU features where some dimensions carry class information and some are dead.
    private static (float[,] Features, int[] Labels) ReluFeatures(Random random, int n, int width, int classes, int[] dead)
    {
        var y = Enumerable.Range(0, n).Select(i => i % classes).ToArray();
        var f = new float[n, width];
        var signal = Enumerable.Range(0, width).Select(_ => random.NextDouble() * 2).ToArray();
        for (var i = 0; i < n; i++)
        {
            for (var d = 0; d < width; d++)
            {
                var value = signal[d] * ((y[i] * (d + 1)) % classes) + Synthetic.Gaussian(random);
                f[i, d] = dead.Contains(d) ? 0f : (float)Math.Max(0, value);
            }
        }

        return (f, y);
    }

    [TestMethod]
    public void EqualsNaivePerSampleImplementation()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 3; trial++)
        {
            var (f, y) = ReluFeatures(random, 150, 24, 5, dead: [3, 11]);
            using var scope = NewDisposeScope();
            var labels = tensor(y.Select(v => (long)v).ToArray());
            var sets = EffectiveDimensions.Compute([from_array(f)], labels, 5, chunkElements: 5 * 24 * 7);
            CollectionAssert.AreEqual(NaiveEffective(f, y, 5), sets.Effective(0).ToArray());
        }
    }

    [TestMethod]
    public void TwoModalitySetsAreTheReferenceDifferences()
    {
        var random = new Random(8);
        var (a, y) = ReluFeatures(random, 120, 16, 4, dead: []);
        var (v, _) = ReluFeatures(random, 120, 16, 4, dead: [0]);
        using var scope = NewDisposeScope();
        var sets = EffectiveDimensions.Compute([from_array(a), from_array(v)], tensor(y.Select(l => (long)l).ToArray()), 4);
        var e1 = NaiveEffective(a, y, 4);
        var e2 = NaiveEffective(v, y, 4);
        CollectionAssert.AreEqual(e1.Except(e2).ToArray(), sets.Transfer(0, 1).ToArray(), "A = E1 \\ E2");
        CollectionAssert.AreEqual(e2.Except(e1).ToArray(), sets.Transfer(1, 0).ToArray(), "V = E2 \\ E1");
        Assert.AreEqual(2, sets.OrderedPairs().Count());
    }

    [TestMethod]
    public void DeadDimensionsAreNeverEffective()
    {
        // With 2 classes split 75/25, a dead dimension ties and picks class 0: a 75 % hit rate that would beat the mean.
        var random = new Random(9);
        var y = Enumerable.Range(0, 200).Select(i => i % 4 == 0 ? 1 : 0).ToArray();
        var f = new float[200, 6];
        for (var i = 0; i < 200; i++)
        {
            for (var d = 1; d < 6; d++)
            {
                f[i, d] = (float)Math.Max(0, y[i] * 0.3 * d + Synthetic.Gaussian(random));
            }
        }

        using var scope = NewDisposeScope();
        var sets = EffectiveDimensions.Compute([from_array(f)], tensor(y.Select(l => (long)l).ToArray()), 2);
        Assert.IsTrue(sets.Dead(0)[0]);
        Assert.IsGreaterThan(0.7f, sets.Scores(0)[0], "the dead dimension's raw score is high");
        CollectionAssert.DoesNotContain(sets.Effective(0).ToArray(), 0);
        CollectionAssert.AreEqual(NaiveEffective(f, y, 2), sets.Effective(0).ToArray());
    }

    [TestMethod]
    public void ChunkSizeDoesNotChangeTheResult()
    {
        var random = new Random(10);
        var (f, y) = ReluFeatures(random, 97, 20, 6, dead: [2]);
        using var scope = NewDisposeScope();
        var labels = tensor(y.Select(l => (long)l).ToArray());
        var small = EffectiveDimensions.Compute([from_array(f)], labels, 6, chunkElements: 1);
        var large = EffectiveDimensions.Compute([from_array(f)], labels, 6);
        CollectionAssert.AreEqual(large.Scores(0).ToArray(), small.Scores(0).ToArray());
    }

    [TestMethod]
    public void SetSizesNameEveryModalityAndPair()
    {
        var sets = new EffectiveDimensions([[1f, 0f, 1f], [0f, 1f, 1f], [1f, 1f, 0f]], [new bool[3], new bool[3], new bool[3]]);
        var sizes = sets.SetSizes(["a", "b", "c"]);
        Assert.AreEqual(3 + 6, sizes.Count);
        Assert.AreEqual(2, sizes["E.a"]);
        Assert.AreEqual(1, sizes["D.a->b"]);
        Assert.AreEqual(1, sizes["D.a->c"]);
    }
}
