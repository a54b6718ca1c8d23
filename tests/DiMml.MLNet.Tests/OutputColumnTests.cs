using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

/// <summary>Output column names are options, so several multimodal trainers share one pipeline; and where the class names of the
/// Score slots are found.</summary>
[TestClass]
public sealed class OutputColumnTests
{
    private static JointMultimodalTrainer.Options JointOptions()
    {
        var options = new JointMultimodalTrainer.Options
        {
            Epochs = 6,
            BatchSize = 32,
            LearningRate = 0.05,
            EmbeddingSize = 16,
            Seed = 0,
            ProbeEpochs = 0,
            ScoreColumnName = "Joint.Score",
            PredictedLabelColumnName = "Joint.PredictedLabel",
            BranchWeightsColumnName = "Joint.BranchWeights",
            ModalityScoreColumnPrefix = "Joint.Score.",
        };
        options.Modalities.Add(new ModalityOptions { Name = "top", ColumnName = "Top", HiddenSizes = [16] });
        options.Modalities.Add(new ModalityOptions { Name = "bottom", ColumnName = "Bottom", HiddenSizes = [16] });
        return options;
    }

    private static float[] Flat(IDataView data, string column) => data.GetColumn<float[]>(column).SelectMany(v => v).ToArray();

    [TestMethod]
    public void DiMmlAndTheJointBaselineShareAPipelineAndTheirScoresAreFusedSavedAndLoaded()
    {
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadFromEnumerable(TwoViewRows.Make(240, seed: 11));
        var test = ml.Data.LoadFromEnumerable(TwoViewRows.Make(90, seed: 11, sample: 1));
        var dimml = TwoViewRows.SmallOptions();
        dimml.Inference = InferenceFusion.CertaintyWeighting;
        dimml.ModalityScoreColumnPrefix = "Branch.";
        var fusion = new CertaintyWeightedFusionEstimator.Options
        {
            LabelColumnName = "Label",
            ScoreColumnName = "Fused.Score",
            PredictedLabelColumnName = "Fused.PredictedLabel",
            BranchWeightsColumnName = "Fused.BranchWeights",
        };
        fusion.InputColumnNames.Add(DiMmlColumns.Score);
        fusion.InputColumnNames.Add("Joint.Score");
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.DiMml(dimml))
            .Append(ml.MulticlassClassification.Trainers.JointMultimodal(JointOptions()))
            .Append(ml.Transforms.CertaintyWeightedFusion(fusion));
        var model = pipeline.Fit(train);
        var scored = model.Transform(test);

        foreach (var column in new[] { "Score", "PredictedLabel", "BranchWeights", "Branch.top", "Branch.bottom", "Joint.Score",
            "Joint.PredictedLabel", "Joint.BranchWeights", "Fused.Score", "Fused.PredictedLabel", "Fused.BranchWeights" })
        {
            Assert.IsNotNull(scored.Schema.GetColumnOrNull(column), $"column {column}");
        }

        Assert.IsNull(scored.Schema.GetColumnOrNull("Joint.Score.top"), "a joint model has no per-modality heads");
        Assert.IsNull(scored.Schema.GetColumnOrNull("Score.top"), "DI-MML's branch scores took the prefix");
        Assert.IsFalse(scored.Schema.Any(c => c.Name.StartsWith("DiMml.", StringComparison.Ordinal)), "no internal column is left");
        var alone = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.DiMml(dimml)).Fit(train);
        CollectionAssert.AreEqual(Flat(alone.Transform(test), "Score"), Flat(scored, "Score"),
            "the joint step after DI-MML leaves DI-MML's Score as it was");
        CollectionAssert.AreNotEqual(Flat(scored, "Score"), Flat(scored, "Joint.Score"));
        foreach (var prediction in new[] { "PredictedLabel", "Joint.PredictedLabel", "Fused.PredictedLabel" })
        {
            Assert.IsGreaterThan(0.8, ml.MulticlassClassification.Evaluate(scored, "Label", prediction.Replace("PredictedLabel", "Score"),
                prediction).MicroAccuracy, prediction);
        }

        var path = Path.Combine(Path.GetTempPath(), $"dimml-two-trainers-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loaded = new MLContext().Model.Load(path, out _).Transform(test);
            foreach (var column in new[] { "Score", "Joint.Score", "Fused.Score", "Fused.BranchWeights" })
            {
                CollectionAssert.AreEqual(Flat(scored, column), Flat(loaded, column), $"{column} after Save/Load");
            }

            CollectionAssert.AreEqual(scored.GetColumn<uint>("Fused.PredictedLabel").ToArray(),
                loaded.GetColumn<uint>("Fused.PredictedLabel").ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void OutputNamesThatClashAreRejectedNamingTheOption()
    {
        var ml = new MLContext();
        var options = TwoViewRows.SmallOptions();
        options.ScoreColumnName = "Top";
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.DiMml(options));
        StringAssert.Contains(error.Message, "ScoreColumnName");
        StringAssert.Contains(error.Message, "'Top'");

        options = TwoViewRows.SmallOptions();
        options.BranchWeightsColumnName = DiMmlColumns.PredictedLabel;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.DiMml(options)).Message,
            "'PredictedLabel'");

        var joint = JointOptions();
        joint.PredictedLabelColumnName = " ";
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.JointMultimodal(joint))
            .Message, "PredictedLabelColumnName");
    }

    [TestMethod]
    public void AfterSaveAndLoadTheScoreSlotsAreNamedByPredictedLabelsKeyValues()
    {
        // ML.NET gives components outside its assemblies no public way to put SlotNames on an ONNX output (see
        // docs/mlnet-usage.md for what was tried); the key values of PredictedLabel are the class names in Score's slot order.
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadFromEnumerable(TwoViewRows.Make(120, seed: 12).Reverse());   // "owl" first: key order != sorted order
        var options = TwoViewRows.SmallOptions(epochs: 2);
        options.Inference = InferenceFusion.CertaintyWeighting;
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.DiMml(options)).Fit(train);
        var path = Path.Combine(Path.GetTempPath(), $"dimml-slots-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loaded = new MLContext().Model.Load(path, out _).Transform(train);
            var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
            loaded.Schema["PredictedLabel"].GetKeyValues(ref keyValues);
            var names = keyValues.DenseValues().Select(v => v.ToString()).ToArray();
            CollectionAssert.AreEqual(model.LastTransformer.ClassNames.ToArray(), names);
            Assert.AreEqual("owl", names[0]);
            var slotOfMax = loaded.GetColumn<float[]>("Score").Select(s => Array.IndexOf(s, s.Max())).ToArray();
            var predicted = loaded.GetColumn<uint>("PredictedLabel").Select(k => (int)k - 1).ToArray();
            CollectionAssert.AreEqual(slotOfMax, predicted, "slot k of Score is key k + 1 of PredictedLabel");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
