using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class DiMmlTrainerTests
{
    [TestMethod]
    public void TrainsEvaluatesAndPredictsInsideAPipeline()
    {
        var ml = new MLContext(seed: 0);
        var log = new List<string>();
        ml.Log += (_, e) => { if (e.Message.Contains("Detached epoch", StringComparison.Ordinal)) { log.Add(e.Message); } };
        var train = ml.Data.LoadFromEnumerable(TwoViewRows.Make(300, seed: 1));
        var test = ml.Data.LoadFromEnumerable(TwoViewRows.Make(150, seed: 1, sample: 1));
        var options = TwoViewRows.SmallOptions();
        var model = TwoViewRows.Pipeline(ml, options).Fit(train);

        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        Assert.IsGreaterThanOrEqualTo(0.95, metrics.MacroAccuracy, $"macro accuracy {metrics.MacroAccuracy}");
        var dimml = ((IEnumerable<ITransformer>)model).OfType<DiMmlTransformer>().Single();
        var runs = dimml.Diagnostics.RefittedOnAllRows ? 2 : 1;   // the default refits after a fit-free fusion choice
        Assert.HasCount(options.Epochs * runs, log, "one log line per stage-1 epoch in MLContext.Log");
        StringAssert.Contains(log[^1], "ce.top=");

        var engine = ml.Model.CreatePredictionEngine<TwoViewRow, TwoViewPrediction>(model);
        var row = TwoViewRows.Make(3, seed: 1, sample: 2)[0];
        var prediction = engine.Predict(row);
        CollectionAssert.Contains(TwoViewRows.ClassNames, prediction.PredictedLabel);
        Assert.HasCount(3, prediction.Score);
        Assert.AreEqual(1f, prediction.Score.Sum(), 1e-5f);
        Assert.HasCount(3, prediction.BranchWeights, "top, bottom, fusion");
        Assert.AreEqual(TwoViewRows.ClassNames[Array.IndexOf(prediction.Score, prediction.Score.Max())], prediction.PredictedLabel,
            "PredictedLabel is the argmax of Score, mapped back to the label strings");

        Assert.AreEqual(options.Epochs + options.FusionEpochs, dimml.Diagnostics.History.Count);
        Assert.IsGreaterThan(0.9, dimml.Diagnostics.ModalityHeadTrainAccuracy["top"]);
        Assert.IsNotEmpty(dimml.Diagnostics.EffectiveSetSizes);
        CollectionAssert.AreEqual(new[] { "cat", "dog", "owl" }, dimml.ClassNames.ToArray());
    }

    [TestMethod]
    public void OutputSchemaBeforeFitHasEveryColumn()
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(TwoViewRows.Make(30, seed: 3));
        var shape = TwoViewRows.Pipeline(ml, TwoViewRows.SmallOptions()).GetOutputSchema(TwoViewRows.ShapeOf(data.Schema));
        var names = shape.Select(c => c.Name).ToArray();
        CollectionAssert.IsSubsetOf(new[] { "Score", "Score.top", "Score.bottom", "BranchWeights", "PredictedLabel" }, names);
        var score = shape.First(c => c.Name == "Score");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, score.Kind);
    }

    [TestMethod]
    public void FittedSchemaHasKnownSizesAndKeyTypedPrediction()
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(TwoViewRows.Make(120, seed: 4));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        using var model = ml.MulticlassClassification.Trainers.DiMml(TwoViewRows.SmallOptions(epochs: 2)).Fit(keyed);
        var schema = model.GetOutputSchema(keyed.Schema);
        Assert.AreEqual(3, ((VectorDataViewType)schema["Score"].Type).Size);
        Assert.AreEqual(3, ((VectorDataViewType)schema["Score.top"].Type).Size);
        Assert.AreEqual(3, ((VectorDataViewType)schema["BranchWeights"].Type).Size);
        Assert.AreEqual(3UL, ((KeyDataViewType)schema["PredictedLabel"].Type).Count);
        Assert.IsNull(schema.GetColumnOrNull("PredictedIndex"), "helper columns are dropped");
    }

    [TestMethod]
    [DoNotParallelize]   // no other test's Fit adds files meanwhile
    public void DisposingTheModelLeavesNoTemporaryFiles()
    {
        // Other tests' models come and go in the same folder meanwhile, so only the files that appear here are this model's.
        var folder = Path.Combine(Path.GetTempPath(), "DiMml.MLNet");
        HashSet<string> Mine() => Directory.Exists(folder) ? [.. Directory.GetFiles(folder, $"{Environment.ProcessId}-*")] : [];
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(TwoViewRows.Make(60, seed: 9));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var trainer = ml.MulticlassClassification.Trainers.DiMml(TwoViewRows.SmallOptions(epochs: 1));
        var before = Mine();
        trainer.GetOutputSchema(TwoViewRows.ShapeOf(keyed.Schema));
        Assert.IsEmpty(Mine().Except(before), "GetOutputSchema keeps no file");
        before = Mine();
        var model = trainer.Fit(keyed);
        var kept = Mine().Except(before).ToArray();
        Assert.HasCount(1, kept, "a fitted model keeps its scoring graph for Save");
        model.Dispose();
        Assert.IsFalse(File.Exists(kept[0]), "and deletes it when disposed");
    }
}
