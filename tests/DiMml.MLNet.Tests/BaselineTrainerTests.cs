using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class BaselineTrainerTests
{
    private static void Common(Torch.Training.TrainerOptions options)
    {
        options.Epochs = 6;
        options.BatchSize = 32;
        options.LearningRate = 0.05;
        options.EmbeddingSize = 16;
        options.Seed = 0;
    }

    [TestMethod]
    public void JointTrainingScoresSavesAndProbesEachEncoder()
    {
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadFromEnumerable(TwoViewRows.Make(300, seed: 50));
        var test = ml.Data.LoadFromEnumerable(TwoViewRows.Make(150, seed: 50, sample: 1));
        var options = new JointMultimodalTrainer.Options { ProbeEpochs = 5 };
        Common(options);
        options.Modalities.Add(new ModalityOptions { Name = "top", ColumnName = "Top", HiddenSizes = [16] });
        options.Modalities.Add(new ModalityOptions { Name = "bottom", ColumnName = "Bottom", HiddenSizes = [16] });
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.JointMultimodal(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        var scored = model.Transform(test);
        Assert.IsGreaterThanOrEqualTo(0.9, ml.MulticlassClassification.Evaluate(scored).MicroAccuracy);
        Assert.IsNull(scored.Schema.GetColumnOrNull("Score.top"), "a joint model has no per-modality head");
        Assert.AreEqual(1, ((VectorDataViewType)scored.Schema["BranchWeights"].Type).Size);

        var joint = ((IEnumerable<ITransformer>)model).OfType<MultimodalBaselineTransformer>().Single();
        CollectionAssert.AreEquivalent(new[] { "top", "bottom" }, joint.Diagnostics.ProbeAccuracy.Keys.ToArray());
        Assert.IsTrue(joint.Diagnostics.ProbeAccuracy.Values.All(a => a is > 0.3 and <= 1),
            string.Join(", ", joint.Diagnostics.ProbeAccuracy));

        var path = Path.Combine(Path.GetTempPath(), $"joint-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);
        CollectionAssert.AreEqual(
            scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray(),
            loaded.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray());
        (loaded as IDisposable)?.Dispose();
        File.Delete(path);
    }

    [TestMethod]
    public void UnimodalBaselineUsesOneColumn()
    {
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadFromEnumerable(TwoViewRows.Make(300, seed: 51));
        var test = ml.Data.LoadFromEnumerable(TwoViewRows.Make(150, seed: 51, sample: 1));
        var options = new UnimodalTrainer.Options();
        Common(options);
        options.Modalities.Add(new ModalityOptions { Name = "bottom", ColumnName = "Bottom", HiddenSizes = [16] });
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.Unimodal(options))
            .Fit(train);
        var scored = model.Transform(test);
        Assert.IsGreaterThanOrEqualTo(0.9, ml.MulticlassClassification.Evaluate(scored).MicroAccuracy);
        CollectionAssert.AreEqual(scored.GetColumn<float[]>("Score").First(), scored.GetColumn<float[]>("Score.bottom").First());
    }

    [TestMethod]
    public void BaselineOptionsAreChecked()
    {
        var ml = new MLContext(seed: 0);
        var unimodal = new UnimodalTrainer.Options();
        unimodal.Modalities.Add(new ModalityOptions { ColumnName = "Top" });
        unimodal.Modalities.Add(new ModalityOptions { ColumnName = "Bottom" });
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Unimodal(unimodal)).Message,
            "exactly 1");

        var joint = new JointMultimodalTrainer.Options { FusionHead = FusionHeadKind.None };
        joint.Modalities.Add(new ModalityOptions { ColumnName = "Top" });
        joint.Modalities.Add(new ModalityOptions { ColumnName = "Bottom" });
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.JointMultimodal(joint)).Message,
            "fusion head");
    }
}
