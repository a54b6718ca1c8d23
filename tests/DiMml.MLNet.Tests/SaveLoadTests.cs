using DiMml.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class SaveLoadTests
{
    public TestContext TestContext { get; set; } = null!;

    private static (MLContext Ml, ITransformer Model, IDataView Test) Train(int epochs = 4)
    {
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadFromEnumerable(TwoViewRows.Make(240, seed: 5));
        var test = ml.Data.LoadFromEnumerable(TwoViewRows.Make(60, seed: 5, sample: 1));
        return (ml, TwoViewRows.Pipeline(ml, TwoViewRows.SmallOptions(epochs)).Fit(train), test);
    }

    private static TwoViewPrediction[] Score(MLContext ml, ITransformer model, IDataView data) =>
        ml.Data.CreateEnumerable<TwoViewPrediction>(model.Transform(data), reuseRowObject: false).ToArray();

    [TestMethod]
    public void SavedModelScoresTheSameAfterLoading()
    {
        var (ml, model, test) = Train();
        var path = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"dimml-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, test.Schema, path);
        var before = Score(ml, model, test);

        var loadContext = new MLContext(seed: 1);
        var loaded = loadContext.Model.Load(path, out var inputSchema);
        var after = Score(loadContext, loaded, test);

        Assert.IsInstanceOfType<TransformerChain<ITransformer>>(loaded);
        Assert.IsNotNull(inputSchema.GetColumnOrNull("Top"));
        for (var i = 0; i < before.Length; i++)
        {
            Assert.AreEqual(before[i].PredictedLabel, after[i].PredictedLabel);
            for (var c = 0; c < before[i].Score.Length; c++)
            {
                Assert.AreEqual(before[i].Score[c], after[i].Score[c], 1e-6f);
            }
        }

        var info = DiMmlModelInfo.Read(path);
        CollectionAssert.AreEqual(new[] { "top", "bottom" }, info.ModalityNames.ToArray());
        CollectionAssert.AreEqual(new[] { "Top", "Bottom" }, info.ColumnNames.ToArray());
        CollectionAssert.AreEqual(new[] { TwoViewRow.Size, TwoViewRow.Size }, info.InputSizes.ToArray());
        CollectionAssert.AreEqual(TwoViewRows.ClassNames, info.ClassNames.ToArray());
        Assert.AreEqual(1.0, info.CertaintyTemperature);
        CollectionAssert.AreEqual(new[] { "top", "bottom", "fusion" }, info.BranchNames.ToArray());
        (loaded as IDisposable)?.Dispose();
        File.Delete(path);
    }

    [TestMethod]
    public void MissingModalityDropsItsBranchAndAllMissingGivesNaN()
    {
        var (ml, model, _) = Train();
        var rows = TwoViewRows.Make(3, seed: 7);
        rows[1].Bottom = Enumerable.Repeat(float.NaN, TwoViewRow.Size).ToArray();
        rows[2].Top = Enumerable.Repeat(float.NaN, TwoViewRow.Size).ToArray();
        rows[2].Bottom = Enumerable.Repeat(float.NaN, TwoViewRow.Size).ToArray();
        var scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        var weights = scored.GetColumn<float[]>("BranchWeights").ToArray();
        var topScores = scored.GetColumn<float[]>("Score.top").ToArray();
        var bottomScores = scored.GetColumn<float[]>("Score.bottom").ToArray();
        var predictions = Score(ml, model, ml.Data.LoadFromEnumerable(rows));

        Assert.IsTrue(weights[0].All(w => w > 0), "all branches present");
        CollectionAssert.AreEqual(new[] { 1f, 0f, 0f }, weights[1], "bottom and fusion dropped, weights renormalised");
        CollectionAssert.AreEqual(topScores[1], predictions[1].Score, "with only the top branch left the fused score is its score");
        Assert.IsTrue(bottomScores[1].All(float.IsNaN), "the missing modality's own score is NaN");
        Assert.IsTrue(predictions[2].Score.All(float.IsNaN), "every modality missing: NaN score");
        Assert.IsTrue(weights[2].All(float.IsNaN));

        Assert.AreEqual("", predictions[2].PredictedLabel, "every modality missing: the missing key, which MapKeyToValue shows as empty");
        CollectionAssert.Contains(TwoViewRows.ClassNames, predictions[1].PredictedLabel);
    }

    [TestMethod]
    public void ExportedOnnxCarriesTheModelMetadata()
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(TwoViewRows.Make(90, seed: 8));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        using var model = ml.MulticlassClassification.Trainers.DiMml(TwoViewRows.SmallOptions(epochs: 2)).Fit(keyed);
        using var stream = new MemoryStream();
        model.ExportOnnx(stream);
        var proto = Onnx.ModelProto.Parser.ParseFrom(stream.ToArray());
        Assert.AreEqual("Top", proto.Graph.Input[0].Name);
        Assert.AreEqual("N", proto.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.AreEqual("cat\ndog\nowl", proto.MetadataProps.Single(p => p.Key == "dimml.classes").Value);
    }

    [TestMethod]
    [TestCategory(TestCategories.Integration)]
    public void FreshProcessWithOnlyMLNetAndOnnxRuntimeScoresTheSame()
    {
        var (ml, model, test) = Train();
        var folder = Directory.CreateTempSubdirectory("dimml-serving-").FullName;
        try
        {
            var modelPath = Path.Combine(folder, "model.zip");
            var dataPath = Path.Combine(folder, "data.idv");
            var outputPath = Path.Combine(folder, "scores.tsv");
            ml.Model.Save(model, test.Schema, modelPath);
            using (var file = File.Create(dataPath))
            {
                ml.Data.SaveAsBinary(test, file);
            }

            var servingDll = ChildProcess.BuiltBeside("DiMml.ServingCheck", "tests", "DiMml.ServingCheck.dll");
            Assert.IsFalse(File.Exists(Path.Combine(Path.GetDirectoryName(servingDll)!, "TorchSharp.dll")), "the serving app must not " +
                "ship TorchSharp");
            var (exitCode, output) = ChildProcess.Run("dotnet", servingDll, modelPath, dataPath, outputPath);
            Assert.AreEqual(0, exitCode, output);
            StringAssert.Contains(output, "TorchSharp loaded: False");

            var expected = Score(ml, model, test);
            var lines = File.ReadAllLines(outputPath);
            Assert.HasCount(expected.Length, lines);
            var worst = 0.0;
            for (var i = 0; i < lines.Length; i++)
            {
                var parts = lines[i].Split('\t');
                Assert.AreEqual(expected[i].PredictedLabel, parts[0], $"row {i}");
                var scores = parts[1].Split(' ').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                worst = Math.Max(worst, scores.Zip(expected[i].Score, (a, b) => Math.Abs(a - b)).Max());
            }

            Assert.IsLessThanOrEqualTo(1e-5, worst, $"max |Score diff| = {worst}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
