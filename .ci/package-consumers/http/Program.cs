using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DiMml;
using Microsoft.ML;
using Microsoft.ML.Data;

// usage: Http <folder>. Serves the training consumer's saved model with DiMml.AspNetCore on a localhost port, posts its rows
// as JSON and checks the answers against the scores the training app wrote; no TorchSharp in the output folder.
var folder = args.Length == 1 ? args[0] : throw new ArgumentException("usage: Http <folder>");
var modelPath = Path.Combine(folder, "model.zip");
var info = DiMmlModelInfo.Read(modelPath);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Services.AddDiMmlModel(modelPath, o => o.WatchModelFile = false);
await using var app = builder.Build();
app.MapDiMmlEndpoints("/model");
await app.StartAsync();

var ml = new MLContext(seed: 0);
var data = ml.Data.LoadFromBinary(Path.Combine(folder, "data.idv"));
var columns = info.ColumnNames.Select(c => data.GetColumn<VBuffer<float>>(c).Select(v => v.DenseValues().ToArray()).ToArray()).ToArray();
var rows = new JsonArray(Enumerable.Range(0, columns[0].Length).Select(i => (JsonNode)new JsonObject(
    info.ColumnNames.Select((c, m) => KeyValuePair.Create(c, (JsonNode?)new JsonArray(columns[m][i].Select(v => (JsonNode)v).ToArray())))))
    .ToArray());
using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
var response = await client.PostAsJsonAsync("/model/predict", new JsonObject { ["rows"] = rows });
var predictions = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["predictions"]!.AsArray();
var expected = File.ReadAllLines(Path.Combine(folder, "scores.tsv"))
    .Select(line => line.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
var difference = predictions.Count != expected.Length ? double.PositiveInfinity : predictions.Select((p, i) =>
    info.ClassNames.Select((c, k) => Math.Abs((float)p!["probabilities"]![c]! - expected[i][k])).Max()).Max();
var torchFiles = Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories)
    .Count(f => Path.GetFileName(f).Contains("torch", StringComparison.OrdinalIgnoreCase));
Console.WriteLine($"http consumer: {(int)response.StatusCode}, {predictions.Count} rows over HTTP, max |probability - training app's| " +
    $"{difference:G3}; torch files in output: {torchFiles}");
await app.StopAsync();
return response.IsSuccessStatusCode && difference <= 1e-6 && torchFiles == 0 ? 0 : 1;
