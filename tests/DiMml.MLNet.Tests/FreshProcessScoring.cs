using System.Globalization;
using Microsoft.ML;

namespace DiMml.MLNet.Tests;

/// <summary>Scores a saved model in a fresh process with only the serving packages (tests/DiMml.ServingCheck) and checks the
/// labels and scores equal the training process's.</summary>
internal static class FreshProcessScoring
{
    /// <summary>Saves <paramref name="model"/> and <paramref name="test"/> into <paramref name="folder"/>, scores them with
    /// DiMml.ServingCheck, and asserts its output equals <paramref name="model"/>'s own scores, without TorchSharp loaded.</summary>
    public static void AssertSameScores(MLContext ml, ITransformer model, DataViewSchema inputSchema, IDataView test, string folder)
    {
        var modelPath = Path.Combine(folder, "served-model.zip");
        var dataPath = Path.Combine(folder, "served-test.idv");
        var outputPath = Path.Combine(folder, "served-scores.tsv");
        ml.Model.Save(model, inputSchema, modelPath);
        using (var file = File.Create(dataPath))
        {
            ml.Data.SaveAsBinary(test, file);
        }

        var (exitCode, log) = ChildProcess.Run("dotnet",
            ChildProcess.BuiltBeside("DiMml.ServingCheck", "tests", "DiMml.ServingCheck.dll"), modelPath, dataPath, outputPath);
        Assert.AreEqual(0, exitCode, log);
        StringAssert.Contains(log, "TorchSharp loaded: False");
        var expected = ml.Data.CreateEnumerable<TwoViewPrediction>(model.Transform(test), false).ToArray();
        var lines = File.ReadAllLines(outputPath);
        Assert.HasCount(expected.Length, lines);
        for (var i = 0; i < lines.Length; i++)
        {
            var parts = lines[i].Split('\t');
            Assert.AreEqual(expected[i].PredictedLabel, parts[0], $"row {i}");
            CollectionAssert.AreEqual(expected[i].Score, parts[1].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture))
                .ToArray(), $"row {i}");
        }
    }
}
