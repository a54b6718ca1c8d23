using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

/// <summary>ExampleWeightColumnName, as on ML.NET's trainers: integer weights train as duplicated rows; bad weights are named.</summary>
[TestClass]
public sealed class ExampleWeightTests
{
    private sealed class WeightedRow
    {
        public string Label { get; set; } = "";

        [VectorType(TwoViewRow.Size)]
        public float[] Top { get; set; } = [];

        [VectorType(TwoViewRow.Size)]
        public float[] Bottom { get; set; } = [];

        public float Weight { get; set; } = 1;
    }

    private static WeightedRow[] Rows(int count, int seed) => TwoViewRows.Make(count, seed, separation: 2)
        .Select((r, i) => new WeightedRow { Label = r.Label, Top = r.Top, Bottom = r.Bottom, Weight = 1 + (i * 5 % 3) }).ToArray();

    private static DiMmlTrainer.Options FullBatch()
    {
        var options = TwoViewRows.SmallOptions(epochs: 5);
        options.Inference = InferenceFusion.CertaintyWeighting;
        options.BatchSize = 1024;   // one batch per epoch: duplicated rows then change nothing but the count of each row
        options.DucStartEpoch = 2;
        return options;
    }

    private static float[] Scores(MLContext ml, IEnumerable<WeightedRow> train, DiMmlTrainer.Options options, IDataView test)
    {
        var classes = ml.Data.LoadFromEnumerable(TwoViewRows.ClassNames.Select(c => new { Label = c }));
        var model = ml.Transforms.Conversion.MapValueToKey("Label", keyData: classes)
            .Append(ml.MulticlassClassification.Trainers.DiMml(options)).Fit(ml.Data.LoadFromEnumerable(train));
        return model.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
    }

    [TestMethod]
    public void IntegerWeightsEqualDuplicatedRows()
    {
        var ml = new MLContext(seed: 0);
        var rows = Rows(60, seed: 31);
        var test = ml.Data.LoadFromEnumerable(Rows(30, seed: 32));
        var weightedOptions = FullBatch();
        weightedOptions.ExampleWeightColumnName = "Weight";
        var weighted = Scores(ml, rows, weightedOptions, test);
        var duplicated = Scores(ml, rows.SelectMany(r => Enumerable.Repeat(r, (int)r.Weight)), FullBatch(), test);
        var unweighted = Scores(ml, rows, FullBatch(), test);
        var difference = weighted.Zip(duplicated, (a, b) => Math.Abs(a - b)).Max();
        Assert.IsLessThan(1e-4f, difference, $"weighted and duplicated rows differ by {difference}");
        Assert.IsGreaterThan(1e-3f, weighted.Zip(unweighted, (a, b) => Math.Abs(a - b)).Max(), "the weights were used");
    }

    [TestMethod]
    public void ZeroWeightRowsAreSkippedAndBadWeightsAreNamed()
    {
        var ml = new MLContext(seed: 0);
        var rows = Rows(60, seed: 33);
        var options = FullBatch();
        options.Epochs = 1;
        options.DucStartEpoch = null;
        options.ExampleWeightColumnName = "Weight";
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.DiMml(options))
            .Fit(ml.Data.LoadFromEnumerable(rows.Select((r, i) => { r.Weight = i < 6 ? 0 : r.Weight; return r; }).ToArray()));
        Assert.AreEqual(54, model.LastTransformer.Diagnostics.TrainingRows);
        Assert.AreEqual(6, model.LastTransformer.Diagnostics.SkippedRows);

        rows[7].Weight = -1;
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.DiMml(options)).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(error.Message, "'Weight'");
        StringAssert.Contains(error.Message, "row 7");

        options.ExampleWeightColumnName = "Label";
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.DiMml(options)).Message,
            "ExampleWeightColumnName");
        options.ExampleWeightColumnName = "Missing";
        var missing = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.DiMml(options)).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(missing.Message, "example weight column 'Missing'");
    }

    [TestMethod]
    public void StreamedRowsKeepTheirWeightsAndTheDefaultFusionChoiceUsesThem()
    {
        var ml = new MLContext(seed: 0);
        var rows = Rows(90, seed: 34);
        var test = ml.Data.LoadFromEnumerable(Rows(30, seed: 35));
        var options = TwoViewRows.SmallOptions(epochs: 4);   // the default fusion: held-out choice, cross-fitted, weighted
        options.ExampleWeightColumnName = "Weight";
        var inMemory = Scores(ml, rows, options, test);
        options.MemoryBudgetBytes = 2_000;   // a few rows per window
        var streamed = Scores(ml, rows, options, test);
        CollectionAssert.AreEqual(inMemory, streamed, "streaming reads the same weights in the same order");
        options.MemoryBudgetBytes = null;
        options.ExampleWeightColumnName = null;
        CollectionAssert.AreNotEqual(inMemory, Scores(ml, rows, options, test), "the weights were used");
    }
}
