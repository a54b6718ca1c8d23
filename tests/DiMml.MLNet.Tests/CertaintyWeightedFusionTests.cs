using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class CertaintyWeightedFusionTests
{
    public sealed class ScoreRow
    {
        public string Label { get; set; } = "";

        [VectorType(3)]
        public float[] A { get; set; } = [];

        [VectorType(3)]
        public float[] B { get; set; } = [];
    }

    public sealed class Fused
    {
        public float[] Score { get; set; } = [];

        public float[] BranchWeights { get; set; } = [];

        public string PredictedLabel { get; set; } = "";
    }

    private static readonly string[] Classes = ["x", "y", "z"];

    private static ScoreRow[] Rows(int count, int seed, bool logits)
    {
        var random = new Random(seed);
        float[] Scores()
        {
            var z = Enumerable.Range(0, 3).Select(_ => random.NextDouble() * 4 - 2).ToArray();
            if (logits)
            {
                return z.Select(v => (float)v).ToArray();
            }

            var e = z.Select(Math.Exp).ToArray();
            return e.Select(v => (float)(v / e.Sum())).ToArray();
        }

        return Enumerable.Range(0, count).Select(i => new ScoreRow { Label = Classes[i % 3], A = Scores(), B = Scores() }).ToArray();
    }

    private static double[] Softmax(double[] z)
    {
        var max = z.Max();
        var e = z.Select(v => Math.Exp(v - max)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    private static double Certainty(double[] p, CertaintyMeasure measure) => measure switch
    {
        CertaintyMeasure.Entropy => 1 + p.Sum(v => v * Math.Log(Math.Max(v, 1e-12))) / Math.Log(p.Length),
        CertaintyMeasure.Margin => p.OrderDescending().First() - p.OrderDescending().Skip(1).First(),
        _ => p.Max(),
    };

    // The formula, branch by branch, in double precision.
    private static (double[] Score, double[] Weights) Reference(ScoreRow row, bool logits, CertaintyMeasure measure, double temperature)
    {
        var branches = new[] { row.A, row.B }
            .Select(s => s.Select(v => logits ? (double)v : Math.Log(Math.Max(v, 1e-12))).ToArray()).ToArray();
        var weights = Softmax(branches.Select(z => Certainty(Softmax(z), measure) / temperature).ToArray());
        var fused = Enumerable.Range(0, 3).Select(c => branches.Select((z, k) => weights[k] * z[c]).Sum()).ToArray();
        return (Softmax(fused), weights);
    }

    [TestMethod]
    [DataRow(false, CertaintyMeasure.MaxProbability, 1.0)]
    [DataRow(false, CertaintyMeasure.MaxProbability, 3.0)]
    [DataRow(true, CertaintyMeasure.MaxProbability, 1.0)]
    [DataRow(false, CertaintyMeasure.Entropy, 1.0)]
    [DataRow(true, CertaintyMeasure.Margin, 0.5)]
    public void EqualsTheFormula(bool logits, CertaintyMeasure measure, double temperature)
    {
        var ml = new MLContext(seed: 0);
        var rows = Rows(20, seed: 40, logits);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = new CertaintyWeightedFusionEstimator.Options
        {
            InputKind = logits ? ScoreKind.Logits : ScoreKind.Probabilities,
            Certainty = measure,
            CertaintyTemperature = temperature,
            LabelColumnName = "Label",
        };
        options.InputColumnNames.Add("A");
        options.InputColumnNames.Add("B");
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.CertaintyWeightedFusion(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var fused = ml.Data.CreateEnumerable<Fused>(pipeline.Fit(data).Transform(data), false).ToArray();
        var labelOrder = rows.Select(r => r.Label).Distinct().ToArray();     // MapValueToKey numbers labels by first occurrence
        for (var i = 0; i < rows.Length; i++)
        {
            var (score, weights) = Reference(rows[i], logits, measure, temperature);
            for (var c = 0; c < 3; c++)
            {
                Assert.AreEqual(score[c], fused[i].Score[c], 1e-5, $"row {i} class {c}");
            }

            Assert.AreEqual(weights[0], fused[i].BranchWeights[0], 1e-5);
            Assert.AreEqual(labelOrder[Array.IndexOf(score, score.Max())], fused[i].PredictedLabel);
        }
    }

    [TestMethod]
    public void NaNInputsAreDroppedPerRow()
    {
        var ml = new MLContext(seed: 0);
        var rows = Rows(3, seed: 41, logits: false);
        rows[1].B = [float.NaN, float.NaN, float.NaN];
        rows[2].A = [float.NaN, 0.5f, 0.5f];
        rows[2].B = [float.NaN, float.NaN, float.NaN];
        var data = ml.Data.LoadFromEnumerable(rows);
        using var fusion = ml.Transforms.CertaintyWeightedFusion(["A", "B"]).Fit(data);
        var fused = ml.Data.CreateEnumerable<FusedKey>(fusion.Transform(data), false).ToArray();

        CollectionAssert.AreEqual(new[] { 1f, 0f }, fused[1].BranchWeights);
        for (var c = 0; c < 3; c++)
        {
            Assert.AreEqual(rows[1].A[c], fused[1].Score[c], 1e-5f, "only A left: its distribution");
        }

        Assert.IsTrue(fused[2].Score.All(float.IsNaN));
        Assert.AreEqual(0u, fused[2].PredictedLabel, "no input: the missing key");
        Assert.AreEqual((uint)Array.IndexOf(fused[0].Score, fused[0].Score.Max()) + 1, fused[0].PredictedLabel, "without a label, key k " +
            "+ 1 is slot k");
    }

    public sealed class FusedKey
    {
        public float[] Score { get; set; } = [];

        public float[] BranchWeights { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }

    [TestMethod]
    public void FusesTwoMLNetTrainersAndSurvivesSaveAndLoad()
    {
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadFromEnumerable(TwoViewRows.Make(300, seed: 42, separation: 2.5));
        var test = ml.Data.LoadFromEnumerable(TwoViewRows.Make(150, seed: 42, separation: 2.5, sample: 1));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Top"))
            .Append(ml.Transforms.CopyColumns("ScoreTop", "Score"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Bottom"))
            .Append(ml.Transforms.CopyColumns("ScoreBottom", "Score"))
            .Append(ml.Transforms.CertaintyWeightedFusion(["ScoreTop", "ScoreBottom"], labelColumnName: "Label"))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(train);
        var scored = model.Transform(test);
        var fusedAccuracy = ml.MulticlassClassification.Evaluate(scored).MicroAccuracy;
        var labels = scored.GetColumn<uint>("Label").ToArray();
        double Accuracy(string column) =>
            scored.GetColumn<float[]>(column).Where((s, i) => Array.IndexOf(s, s.Max()) + 1 == labels[i]).Count() / (double)labels.Length;
        Assert.IsGreaterThanOrEqualTo(Math.Max(Accuracy("ScoreTop"), Accuracy("ScoreBottom")) - 0.02, fusedAccuracy, "fusion is not " +
            "worse than the better branch");

        var path = Path.Combine(Path.GetTempPath(), $"fusion-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);
        var before = ml.Data.CreateEnumerable<Fused>(scored, false).ToArray();
        var after = ml.Data.CreateEnumerable<Fused>(loaded.Transform(test), false).ToArray();
        for (var i = 0; i < before.Length; i++)
        {
            CollectionAssert.AreEqual(before[i].Score, after[i].Score);
            Assert.AreEqual(before[i].PredictedLabel, after[i].PredictedLabel);
        }

        (loaded as IDisposable)?.Dispose();
        File.Delete(path);
    }

    [TestMethod]
    public void OneInputOrBadTemperatureIsRejected()
    {
        var ml = new MLContext(seed: 0);
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.CertaintyWeightedFusion(["A"])).Message, "two or more");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.CertaintyWeightedFusion(["A", "B"], temperature: 0))
            .Message, "Temperature");
        var data = ml.Data.LoadFromEnumerable(TwoViewRows.Make(6, seed: 1));
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.CertaintyWeightedFusion(["Top", "Label"]).Fit(data))
            .Message, "'Label'");
    }
}
