using System.Globalization;
using DiMml;
using Microsoft.ML;
using Microsoft.ML.Data;

// usage: Serving <folder>. Scores the training consumer's saved model with ML.NET and with BulkScorer, checks both against the
// scores the training app wrote, and checks that neither TorchSharp nor libtorch is in this app's output folder or loaded.
var folder = args.Length == 1 ? args[0] : throw new ArgumentException("usage: Serving <folder>");
var ml = new MLContext(seed: 0);
var (model, info) = DiMmlModelInfo.Load(ml, Path.Combine(folder, "model.zip"), out _);
var data = ml.Data.LoadFromBinary(Path.Combine(folder, "data.idv"));
var expected = File.ReadAllLines(Path.Combine(folder, "scores.tsv"))
    .Select(line => line.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
var loaded = model.Transform(data).GetColumn<float[]>("Score").ToArray();
using var scorer = new BulkScorer(File.ReadAllBytes(Path.Combine(folder, "model.onnx")));
var bulk = scorer.Score(data).Select(p => p.Score).ToArray();

static double MaxDifference(float[][] a, float[][] b) =>
    a.Length != b.Length ? double.PositiveInfinity : a.Zip(b).Max(p => p.First.Zip(p.Second).Max(q => Math.Abs(q.First - q.Second)));

var torchFiles = Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories)
    .Where(f => Path.GetFileName(f).Contains("torch", StringComparison.OrdinalIgnoreCase)).ToArray();
var torchLoaded = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "TorchSharp");
var (loadedDiff, bulkDiff) = (MaxDifference(loaded, expected), MaxDifference(bulk, expected));
Console.WriteLine($"serving consumer: {info.ClassNames.Count} classes, modalities {string.Join(", ", info.ModalityNames)}; " +
    $"max |score - training app's| {loadedDiff:G3} (ML.NET), {bulkDiff:G3} (BulkScorer); torch files in output: {torchFiles.Length}; " +
    $"TorchSharp loaded: {torchLoaded}");
(model as IDisposable)?.Dispose();
return loadedDiff <= 1e-6 && bulkDiff <= 1e-6 && torchFiles.Length == 0 && !torchLoaded ? 0 : 1;
