using System.Collections.Immutable;
using DiMml.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DiMml.Torch.Tests.BuildChecks;

/// <summary>
/// The build check of DECISIONS' TorchSharp-temporaries rule: it fails on planted cases, passes their fixed forms, and its
/// list of TorchSharp members with hidden Scalars is the one TorchSharp's IL gives today.
/// </summary>
[TestClass]
public sealed class TorchSharpScalarCheckTests
{
    private const string ListVariable = "DIMML_WRITE_HIDDEN_SCALARS";

    [TestMethod]
    public void HiddenScalarListMatchesTorchSharpIl()
    {
        var scanned = HiddenScalarScan.Members(typeof(TorchSharp.torch).Assembly.Location);
        var listPath = Path.Combine(RepositoryRoot(), "build", "DiMml.Analyzers", "HiddenScalarMembers.txt");
        if (Environment.GetEnvironmentVariable(ListVariable) == "1")
        {
            File.WriteAllLines(listPath, new[] { $"# {Header}" }.Concat(scanned));
        }

        var listed = TorchSharpScalarAnalyzer.Members.ToHashSet();
        var missing = scanned.Where(m => !listed.Contains(m)).ToList();
        var stale = listed.Where(m => !scanned.Contains(m)).ToList();
        Assert.IsTrue(missing.Count == 0 && stale.Count == 0,
            $"build/DiMml.Analyzers/HiddenScalarMembers.txt is not TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}'s: " +
            $"{missing.Count} missing (e.g. {string.Join(", ", missing.Take(3))}), {stale.Count} stale (e.g. " +
            $"{string.Join(", ", stale.Take(3))}). Rerun this test with {ListVariable}=1 to rewrite it, then rebuild.");
        Assert.IsTrue(scanned.Contains("M:TorchSharp.torch.Tensor.op_Addition(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)"),
            "the scan no longer finds Tensor + Tensor (alpha = 1 made inside)");
        Assert.IsTrue(scanned.Contains("M:TorchSharp.Modules.SGD.step(System.Func{TorchSharp.torch.Tensor})"),
            "the scan no longer finds SGD.step's Scalars (made inside its per-group delegate)");
    }

    [TestMethod]
    [DataRow("var y = x + x;", "DIMML002")]
    [DataRow("var y = x * 2.0;", "DIMML002")]
    [DataRow("var y = x.add(x);", "DIMML002")]
    [DataRow("var y = x.mul(2.0);", "DIMML001")]
    [DataRow("var y = x.clamp(0.0, 1.0);", "DIMML001")]
    [DataRow("var y = x.mul(2.0.ToScalar());", "DIMML001")]
    [DataRow("var s = 2.0.ToScalar(); var y = x.mul(s);", "DIMML001")]
    [DataRow("var y = x.mul((Scalar)2.0);", "DIMML001")]
    [DataRow("var y = new[] { x, x }.Aggregate(torch.add);", "DIMML002")]
    public void PlantedTemporaryFailsTheBuild(string statement, string rule)
    {
        var diagnostics = Analyze(statement);
        Assert.IsTrue(diagnostics.Any(d => d.Id == rule && d.Location.GetLineSpan().StartLinePosition.Line == PlantedLine),
            $"'{statement}' should give {rule} on line {PlantedLine + 1}; got: {string.Join("; ", diagnostics)}");
        Assert.IsTrue(diagnostics.All(d => d.Severity == DiagnosticSeverity.Error), "the check must fail the build, not warn");
    }

    [TestMethod]
    [DataRow("using var two = 2.0.ToScalar(); var y = x.mul(two);")]
    [DataRow("using var one = 1.ToScalar(); var y = x.add(x, one);")]
    [DataRow("using (var two = 2.0.ToScalar()) { var y = x.mul(two); }")]
    [DataRow("var y = x - x; var z = x.mul(x).sum();")]
    public void OwnedScalarPasses(string statement)
    {
        var diagnostics = Analyze(statement);
        Assert.AreEqual(0, diagnostics.Length, string.Join("; ", diagnostics));
    }

    private const int PlantedLine = 7;

    private static string Header =>
        $"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version} members that make a Scalar inside and do not " +
        "dispose it (DIMML002); written by TorchSharpScalarCheckTests from TorchSharp's IL";

    private static ImmutableArray<Diagnostic> Analyze(string statement)
    {
        var source = $$"""
            using System.Linq;
            using TorchSharp;
            using static TorchSharp.torch;
            internal static class Planted
            {
                public static void Run(Tensor x)
                {
                    {{statement}}
                }
            }
            """;
        var references = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && a.Location.Length > 0)
            .Select(a => MetadataReference.CreateFromFile(a.Location));
        var compilation = CSharpCompilation.Create("Planted", [CSharpSyntaxTree.ParseText(source)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.AreEqual(0, errors.Count, $"planted code must compile: {string.Join("; ", errors)}");
        return compilation.WithAnalyzers([new TorchSharpScalarAnalyzer()]).GetAnalyzerDiagnosticsAsync().Result;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DiMml.MLNet.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("DiMml.MLNet.sln not found above " + AppContext.BaseDirectory);
    }
}
