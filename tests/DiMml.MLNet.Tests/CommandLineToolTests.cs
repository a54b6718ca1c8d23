using System.Globalization;
using System.Text.Json;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class CommandLineToolTests
{
    private static string WriteCsv(string path, TwoViewRow[] rows)
    {
        var header = "Label," + string.Join(",", Enumerable.Range(0, TwoViewRow.Size).Select(i => $"a{i}")) + "," + string.Join(",", Enumerable.Range(0, TwoViewRow.Size).Select(i => $"b{i}"));
        File.WriteAllLines(path, rows.Select(r => r.Label + "," + string.Join(",", r.Top.Concat(r.Bottom).Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).Prepend(header));
        return path;
    }

    [TestMethod]
    public void CompareWritesTheTableJsonAndPlots()
    {
        var folder = Directory.CreateTempSubdirectory("dimml-cli-").FullName;
        try
        {
            var train = WriteCsv(Path.Combine(folder, "train.csv"), TwoViewRows.Make(240, seed: 60));
            var test = WriteCsv(Path.Combine(folder, "test.csv"), TwoViewRows.Make(120, seed: 60, sample: 1));
            var output = Path.Combine(folder, "out");
            var (exitCode, log) = ChildProcess.Run("dotnet", ChildProcess.BuiltBeside("DiMml.Cli", "src", "dimml.dll"),
                "compare", "--train", train, "--test", test, "--label", "Label", "--modality", "top=a0-a7", "--modality", "bottom=b*",
                "--methods", "unimodal:top,joint,dimml,dimml-fusion-head,lightgbm", "--epochs", "3", "--fusion-epochs", "2", "--embedding", "16",
                "--hidden", "16", "--lr", "0.05", "--out", output);
            Assert.AreEqual(0, exitCode, log);

            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "comparison.json")));
            var results = json.RootElement.GetProperty("results").EnumerateArray().ToArray();
            CollectionAssert.AreEqual(
                new[] { "unimodal:top", "joint", "dimml", "dimml-fusion-head", "lightgbm" }, results.Select(r => r.GetProperty("Method").GetString()).ToArray());
            Assert.IsTrue(results.All(r => r.GetProperty("Accuracy").GetDouble() > 0.8), log);
            StringAssert.Contains(File.ReadAllText(Path.Combine(output, "comparison.md")), "| dimml |");
            StringAssert.StartsWith(File.ReadAllText(Path.Combine(output, "accuracy.svg")).TrimStart('\uFEFF'), "<?xml");
            Assert.IsTrue(File.Exists(Path.Combine(output, "training-curves.svg")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void BadModalityColumnIsNamed()
    {
        var folder = Directory.CreateTempSubdirectory("dimml-cli-").FullName;
        try
        {
            var train = WriteCsv(Path.Combine(folder, "train.csv"), TwoViewRows.Make(10, seed: 61));
            var (exitCode, log) = ChildProcess.Run("dotnet", ChildProcess.BuiltBeside("DiMml.Cli", "src", "dimml.dll"),
                "compare", "--train", train, "--test", train, "--label", "Label", "--modality", "top=a0-a9");
            Assert.AreEqual(2, exitCode, log);
            StringAssert.Contains(log, "column 'a8'");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
