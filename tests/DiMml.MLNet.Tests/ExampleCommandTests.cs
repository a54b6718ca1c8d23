using System.Globalization;
using System.Text.RegularExpressions;
using DiMml.TestSupport;

namespace DiMml.MLNet.Tests;

/// <summary>
/// The examples are product: each command runs at a budget of seconds as a user runs it, exits 0, and every accuracy it prints
/// as a result is above chance (10 classes: 10 %); the ones that save a model reload it, and export-csv's files are checked.
/// Progress lines (epochs, the fusion choice's log) are not results. serve runs until stopped (ServePageTests covers it); video
/// needs OpenCV's GTK dependencies and more than seconds to rise above chance.
/// </summary>
[TestClass]
public sealed partial class ExampleCommandTests
{
    private const double Chance = 10.0;

    public static IEnumerable<object[]> Commands() =>
    [
        [new[] { "--epochs", "2" }, "reloading it in a new MLContext"],
        [new[] { "quickstart", "--epochs", "2", "--rows", "1500" }, "reloading it in a new MLContext"],
        [new[] { "core", "--epochs", "3", "--rows", "600" }, "DI-MML"],
        [new[] { "images", "--epochs", "3", "--rows", "600" }, "DI-MML fused"],
        [new[] { "streaming", "--epochs", "2", "--rows", "600" }, "stage-1 epoch time"],
        [new[] { "soak", "--predictions", "2000", "--epochs", "1", "--rows", "300" }, "2000 predictions"],
        [new[] { "audio", "--rows", "60", "--epochs", "2" }, "DI-MML"],
    ];

    [TestMethod]
    [TestCategory(TestCategories.Integration)]
    [DynamicData(nameof(Commands))]
    public void ExampleRunsAndPrintsAccuraciesAboveChance(string[] arguments, string expected)
    {
        if (arguments[0] == "audio" && !OnPath("espeak-ng"))
        {
            Assert.Inconclusive("espeak-ng is not installed: bash .ci/install-debian-tools.sh (CI does).");
        }

        var (exitCode, output) = Run(arguments);
        Assert.AreEqual(0, exitCode, output);
        StringAssert.Contains(output, expected);
        var results = Results(output);
        Assert.IsTrue(arguments[0] is "soak" or "streaming" || results.Count > 0, $"no accuracy printed:\n{output}");
        foreach (var (line, value) in results)
        {
            Assert.IsGreaterThan(Chance, value, $"'{line.Trim()}' is not above chance ({Chance} %):\n{output}");
        }
    }

    [TestMethod]
    [TestCategory(TestCategories.Integration)]
    public void ExportCsvWritesBothSplitsWithTheirHeader()
    {
        var folder = Directory.CreateTempSubdirectory("dimml-export-").FullName;
        try
        {
            var (exitCode, output) = Run(["export-csv", "--rows", "50", "--out", folder]);
            Assert.AreEqual(0, exitCode, output);
            foreach (var split in new[] { "train.csv", "test.csv" })
            {
                var lines = File.ReadAllLines(Path.Combine(folder, split));
                StringAssert.StartsWith(lines[0], "Label,t0,", $"{split}: header");
                Assert.AreEqual(1 + 2 * 392, lines[0].Split(',').Length, $"{split}: Label + 392 + 392 columns");
                Assert.IsGreaterThan(1, lines.Length, $"{split}: rows");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (int ExitCode, string Output) Run(string[] arguments) =>
        ChildProcess.Run("dotnet", [ChildProcess.BuiltBeside("DiMml.Examples", "examples", "DiMml.Examples.dll"), .. arguments]);

    // "NN.N %" on result lines; a progress line names its epoch or comes from the trainer's log channel.
    private static List<(string Line, double Value)> Results(string output) =>
        output.Split('\n')
            .Where(line => !line.Contains("epoch", StringComparison.OrdinalIgnoreCase) && !line.Contains("Kind=", StringComparison.Ordinal)
                && !line.Contains("RSS", StringComparison.Ordinal) && !line.Contains("waiting", StringComparison.Ordinal))
            .SelectMany(line => Percent().Matches(line).Select(m => (line, double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))))
            .ToList();

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, program)));

    [GeneratedRegex(@"(\d+(?:\.\d+)?) %")]
    private static partial Regex Percent();
}
