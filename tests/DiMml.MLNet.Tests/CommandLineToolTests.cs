using System.Globalization;
using System.Text.Json;
using DiMml.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

[TestClass]
public sealed class CommandLineToolTests
{
    internal static string WriteCsv(string path, TwoViewRow[] rows)
    {
        var header = "Label," + string.Join(",", Enumerable.Range(0, TwoViewRow.Size).Select(i => $"a{i}")) + ","
            + string.Join(",", Enumerable.Range(0, TwoViewRow.Size).Select(i => $"b{i}"));
        File.WriteAllLines(path,
            rows.Select(r =>
                r.Label + "," + string.Join(",", r.Top.Concat(r.Bottom).Select(v => v.ToString("R", CultureInfo.InvariantCulture))))
                    .Prepend(header));
        return path;
    }

    [TestMethod]
    [TestCategory(TestCategories.Integration)]
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
                "--methods", "unimodal:top,joint,dimml,dimml-paper,dimml-fusion-head,lightgbm", "--epochs", "3", "--fusion-epochs", "2",
                    "--embedding", "16",
                "--hidden", "16", "--lr", "0.05", "--out", output);
            Assert.AreEqual(0, exitCode, log);

            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "comparison.json")));
            var results = json.RootElement.GetProperty("results").EnumerateArray().ToArray();
            CollectionAssert.AreEqual(
                new[] { "unimodal:top", "joint", "dimml", "dimml-paper", "dimml-fusion-head", "lightgbm" },
                    results.Select(r => r.GetProperty("Method").GetString()).ToArray());
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
    [TestCategory(TestCategories.Integration)]
    public void CompareOverSeveralSeedsReportsMeanAndSpread()
    {
        var folder = Directory.CreateTempSubdirectory("dimml-cli-").FullName;
        try
        {
            var train = WriteCsv(Path.Combine(folder, "train.csv"), TwoViewRows.Make(150, seed: 63));
            var test = WriteCsv(Path.Combine(folder, "test.csv"), TwoViewRows.Make(90, seed: 63, sample: 1));
            var output = Path.Combine(folder, "out");
            var (exitCode, log) = ChildProcess.Run("dotnet", ChildProcess.BuiltBeside("DiMml.Cli", "src", "dimml.dll"),
                "compare", "--train", train, "--test", test, "--label", "Label", "--modality", "top=a0-a7", "--modality", "bottom=b*",
                "--methods", "unimodal:top,dimml", "--seeds", "0,1,2", "--epochs", "2", "--fusion-epochs", "1", "--embedding", "16",
                    "--hidden", "16",
                "--lr", "0.05", "--out", output);
            Assert.AreEqual(0, exitCode, log);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "comparison.json")));
            Assert.AreEqual(6, json.RootElement.GetProperty("runs").GetArrayLength());
            var results = json.RootElement.GetProperty("results").EnumerateArray().ToArray();
            Assert.HasCount(2, results);
            var runs = json.RootElement.GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("Method").GetString() == "dimml")
                .Select(r => r.GetProperty("Accuracy").GetDouble()).ToArray();
            Assert.AreEqual(runs.Average(), results[1].GetProperty("Accuracy").GetDouble(), 1e-12);
            var markdown = File.ReadAllText(Path.Combine(output, "comparison.md"));
            StringAssert.Contains(markdown, "mean over seeds 0, 1, 2");
            StringAssert.Contains(markdown, "| candidate | seed 0 | seed 1 | seed 2 |");
            var dimmlRuns = json.RootElement.GetProperty("runs").EnumerateArray()
                .Where(r => r.GetProperty("Method").GetString() == "dimml");
            foreach (var run in dimmlRuns)
            {
                // The chosen candidate's test accuracy (TorchSharp) is the run's (ONNX), up to argmax ties on two of the 90 rows.
                var choice = run.GetProperty("FusionChoice");
                var chosen = choice.GetProperty("Chosen").GetString()!;
                var heldOut = choice.GetProperty("HeldOut").EnumerateObject().Select(p => p.Name).ToArray();
                CollectionAssert.AreEquivalent(heldOut, choice.GetProperty("Test").EnumerateObject().Select(p => p.Name).ToArray());
                CollectionAssert.Contains(heldOut, chosen);
                Assert.AreEqual(run.GetProperty("Accuracy").GetDouble(), choice.GetProperty("Test").GetProperty(chosen).GetDouble(), 0.025,
                    chosen);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    [TestCategory(TestCategories.Integration)]
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

    [TestMethod]
    [TestCategory(TestCategories.Integration)]
    public void TrainingKilledWithSigkillResumesToTheSameModel()
    {
        var folder = Directory.CreateTempSubdirectory("dimml-kill-").FullName;
        try
        {
            var train = WriteCsv(Path.Combine(folder, "train.csv"), TwoViewRows.Make(3000, seed: 62));
            var cli = ChildProcess.BuiltBeside("DiMml.Cli", "src", "dimml.dll");
            string[] Arguments(string model, params string[] extra) =>
                ["train", "--train", train, "--label", "Label", "--modality", "top=a0-a7", "--modality", "bottom=b*", "--method", "dimml",
                 "--epochs", "12", "--fusion-epochs", "3", "--hidden", "256", "--embedding", "128", "--model", model, .. extra];

            var full = Path.Combine(folder, "full.zip");
            Assert.AreEqual(0, ChildProcess.Run("dotnet", [cli, .. Arguments(full)]).ExitCode);

            var checkpoints = Path.Combine(folder, "checkpoints");
            var interrupted = Path.Combine(folder, "interrupted.zip");
            var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { cli }.Concat(Arguments(interrupted, "--checkpoint-dir", checkpoints)))
            {
                start.ArgumentList.Add(argument);
            }

            using (var process = System.Diagnostics.Process.Start(start)!)
            {
                var deadline = DateTime.UtcNow.AddMinutes(2);
                while (!(Directory.Exists(checkpoints) && Directory.GetFiles(checkpoints, "checkpoint-0-*.bin").Length >= 2)
                    && DateTime.UtcNow < deadline && !process.HasExited)
                {
                    Thread.Sleep(10);
                }

                Assert.IsFalse(process.HasExited, "training finished before it could be killed; give it more epochs");
                process.Kill();     // SIGKILL on Linux: no cleanup, no finally blocks
                process.WaitForExit();
            }

            Assert.IsFalse(File.Exists(interrupted), "the killed run must not have saved a model");
            var resumed = Path.Combine(folder, "resumed.zip");
            var (exitCode, log) = ChildProcess.Run("dotnet",
                [cli, .. Arguments(resumed, "--checkpoint-dir", checkpoints, "--resume", checkpoints)]);
            Assert.AreEqual(0, exitCode, log);

            var ml = new MLContext();
            var data = ml.Data.LoadFromEnumerable(TwoViewRows.Make(50, seed: 62, sample: 1).Select(r => new CsvRow(r)));
            float[][] Scores(string path)
            {
                var model = ml.Model.Load(path, out _);
                var scores = model.Transform(data).GetColumn<float[]>("Score").ToArray();
                (model as IDisposable)?.Dispose();
                return scores;
            }

            var expected = Scores(full);
            var actual = Scores(resumed);
            for (var i = 0; i < expected.Length; i++)
            {
                CollectionAssert.AreEqual(expected[i], actual[i], $"row {i}");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A row as the CLI's text loader presents it: Label and one vector column per modality.</summary>
    public sealed class CsvRow(TwoViewRow row)
    {
        public string Label { get; set; } = row.Label;

        [VectorType(TwoViewRow.Size)]
        [ColumnName("Modality.top")]
        public float[] Top { get; set; } = row.Top;

        [VectorType(TwoViewRow.Size)]
        [ColumnName("Modality.bottom")]
        public float[] Bottom { get; set; } = row.Bottom;
    }
}
