using DiMml.TestSupport;
using DiMml.Torch.Losses;
using static TorchSharp.torch;

namespace DiMml.Torch.Tests;

[TestClass]
public sealed class DucLossTests
{
    // The reference's per-sample form, in double precision: mean_i -log(exp(s_ii/τ) / Σ_j exp(s_ij/τ)).
    private static double NaivePair(float[,] student, float[,] teacher, IReadOnlyList<int> dims, double tau)
    {
        var b = student.GetLength(0);
        double total = 0;
        for (var i = 0; i < b; i++)
        {
            double denominator = 0, positive = 0;
            for (var j = 0; j < b; j++)
            {
                double dot = 0;
                foreach (var d in dims)
                {
                    dot += student[i, d] * (double)teacher[j, d];
                }

                var e = Math.Exp(dot / tau);
                denominator += e;
                if (i == j)
                {
                    positive = e;
                }
            }

            total += -Math.Log(positive / denominator);
        }

        return total / b;
    }

    private static float[,] Matrix(Random random, int rows, int cols, double scale)
    {
        var m = new float[rows, cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                m[i, j] = (float)(Synthetic.Gaussian(random) * scale);
            }
        }

        return m;
    }

    private static EffectiveDimensions Sets(params int[][] effective)
    {
        const int width = 8;
        var scores = effective.Select(e => Enumerable.Range(0, width).Select(d => e.Contains(d) ? 1f : 0f).ToArray()).ToArray();
        return new EffectiveDimensions(scores, effective.Select(_ => new bool[width]).ToArray());
    }

    [TestMethod]
    public void TwoModalitiesEqualNaiveFormulaOnRandomInputs()
    {
        var random = new Random(1);
        var dims = Sets([0, 1, 2, 5], [2, 3, 4]);
        var loss = new DucLoss(10);
        for (var trial = 0; trial < 20; trial++)
        {
            var a = Matrix(random, 12, 8, 3.0);
            var v = Matrix(random, 12, 8, 3.0);
            using var fa = from_array(a);
            using var fv = from_array(v);
            using var value = loss.Forward([fa, fv], dims);
            var expected = NaivePair(v, a, dims.Transfer(0, 1), 10) + NaivePair(a, v, dims.Transfer(1, 0), 10);
            Assert.AreEqual(expected, value.item<float>(), 1e-5 * Math.Max(1, Math.Abs(expected)));
        }
    }

    [TestMethod]
    public void ThreeModalitiesAverageOverTeachers()
    {
        var random = new Random(2);
        var dims = Sets([0, 1, 2], [1, 3], [4, 5, 0]);
        var f = Enumerable.Range(0, 3).Select(_ => Matrix(random, 10, 8, 2.0)).ToArray();
        using var scope = NewDisposeScope();
        var value = new DucLoss(5).Forward(f.Select(m => from_array(m)).ToArray(), dims).item<float>();
        var expected = dims.OrderedPairs().Sum(p => NaivePair(f[p.Student], f[p.Teacher], dims.Transfer(p.Teacher, p.Student), 5)) / 2;
        Assert.AreEqual(expected, value, 1e-5 * Math.Max(1, expected));
    }

    [TestMethod]
    public void StaysFiniteWhereNaiveFormOverflows()
    {
        var random = new Random(3);
        var dims = Sets([0, 1, 2, 3], [4, 5, 6, 7]);
        var a = Matrix(random, 8, 8, 400.0);
        var v = Matrix(random, 8, 8, 400.0);
        var naive = NaivePair(v, a, dims.Transfer(0, 1), 10);
        Assert.IsFalse(double.IsFinite(naive), "the test inputs must overflow the naive form");
        using var scope = NewDisposeScope();
        var value = new DucLoss(10).Forward([from_array(a), from_array(v)], dims).item<float>();
        Assert.IsTrue(float.IsFinite(value), $"DUC loss was {value}");
        Assert.IsGreaterThanOrEqualTo(0f, value);
    }

    [TestMethod]
    public void EmptyTransferSetsGiveZero()
    {
        var dims = Sets([0, 1], [0, 1]);
        using var scope = NewDisposeScope();
        var value = new DucLoss().Forward([randn(4, 8), randn(4, 8)], dims);
        Assert.AreEqual(0f, value.item<float>());
    }

    [TestMethod]
    public void TeacherReceivesNoGradient()
    {
        var dims = Sets([0, 1, 2, 3], []);
        using var scope = NewDisposeScope();
        var teacher = randn(6, 8).requires_grad_();
        var student = randn(6, 8).requires_grad_();
        new DucLoss().Forward([teacher, student], dims).backward();
        Assert.IsTrue(teacher.grad is null || teacher.grad.abs().sum().item<float>() == 0f, "teacher features got a gradient");
        Assert.IsGreaterThan(0f, student.grad!.abs().sum().item<float>());
    }

    [TestMethod]
    public void RejectsNonPositiveTemperature()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DucLoss(0));
        StringAssert.Contains(error.Message, "temperature");
    }
}
