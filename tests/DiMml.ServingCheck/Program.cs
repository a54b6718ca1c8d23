using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

// usage: DiMml.ServingCheck <model.zip> <data.idv> <output.tsv>
// Loads the model and the binary IDataView, scores it, and writes one line per row:
// PredictedLabel <TAB> Score values (round-trip format), space separated.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: DiMml.ServingCheck <model.zip> <data.idv> <output.tsv>");
    return 2;
}

var ml = new MLContext(seed: 0);
ml.ComponentCatalog.RegisterAssembly(typeof(DiMml.Serving.Audio.AudioDecodeContracts).Assembly);   // audio modalities' WAV decoding
ml.ComponentCatalog.RegisterAssembly(typeof(DiMml.Video.VideoDecodeContracts).Assembly);           // video frames and optical flow
var model = ml.Model.Load(args[0], out _);
var data = ml.Data.LoadFromBinary(args[1]);
var scored = model.Transform(data);
var labels = scored.GetColumn<string>("PredictedLabel").ToArray();
var scores = scored.GetColumn<float[]>("Score").ToArray();
File.WriteAllLines(args[2], labels.Select((label, i) =>
    label + "\t" + string.Join(" ", scores[i].Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
Console.WriteLine($"scored {labels.Length} rows; TorchSharp loaded: " +
    $"{AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "TorchSharp")}");
(model as IDisposable)?.Dispose();
return 0;
