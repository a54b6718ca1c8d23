using DiMml;
using Microsoft.ML;
using Microsoft.ML.Data;

// usage: Consumer <folder>. Two LightGBM trainers, one per view, fused per row by the DI-MML paper's certainty weighting with
// temperatures fitted on held-out rows: no libtorch, no OpenCV. Saves the model and checks that plain ML.NET loads it back.
var folder = args.Length == 1 ? args[0] : throw new ArgumentException("usage: Consumer <folder>");
var random = new Random(0);
Row[] Rows(int count) => Enumerable.Range(0, count).Select(i => Row.Make(i % 3, random)).ToArray();
var ml = new MLContext(seed: 0);
var (train, heldOut, test) = (ml.Data.LoadFromEnumerable(Rows(600)), ml.Data.LoadFromEnumerable(Rows(300)),
    ml.Data.LoadFromEnumerable(Rows(300)));

var branches = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.MulticlassClassification.Trainers.LightGbm(featureColumnName: "A", numberOfIterations: 30))
    .Append(ml.Transforms.CopyColumns("Score.a", "Score"))
    .Append(ml.MulticlassClassification.Trainers.LightGbm(featureColumnName: "B", numberOfIterations: 30))
    .Append(ml.Transforms.CopyColumns("Score.b", "Score"))
    .Fit(train);
var options = new CertaintyWeightedFusionEstimator.Options { LabelColumnName = "Label", Calibrate = true };
options.InputColumnNames.Add("Score.a");
options.InputColumnNames.Add("Score.b");
var fusion = ml.Transforms.CertaintyWeightedFusion(options).Fit(branches.Transform(heldOut));   // temperatures: held-out rows
var model = branches.Append(fusion);

var scored = model.Transform(test);
var fused = ml.MulticlassClassification.Evaluate(scored).MicroAccuracy;
double Branch(string column) => ml.MulticlassClassification.Evaluate(scored, scoreColumnName: column,
    predictedLabelColumnName: "PredictedLabel").MicroAccuracy;
Console.WriteLine($"consumer: fused test accuracy {fused:P1} (LightGBM on A alone {Branch("Score.a"):P1}, on B {Branch("Score.b"):P1})");

var path = Path.Combine(folder, "fusion.zip");
ml.Model.Save(model, train.Schema, path);
var loaded = new MLContext().Model.Load(path, out _);
var same = loaded.Transform(test).GetColumn<float[]>("Score").Zip(scored.GetColumn<float[]>("Score"),
    (a, b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max()).Max() < 1e-5;
Console.WriteLine($"consumer: saved and loaded with plain ML.NET, same scores: {same}");
return fused > Math.Max(Branch("Score.a"), Branch("Score.b")) && same ? 0 : 1;

/// <summary>Two noisy views of a class: each alone is weaker than both together.</summary>
public sealed class Row
{
    public string Label { get; set; } = "";

    [VectorType(6)]
    public float[] A { get; set; } = [];

    [VectorType(6)]
    public float[] B { get; set; } = [];

    public static Row Make(int label, Random random)
    {
        float[] View() => Enumerable.Range(0, 6).Select(d => (float)((d % 3 == label ? 1.0 : 0) + 2.5 * random.NextDouble())).ToArray();
        return new Row { Label = $"class{label}", A = View(), B = View() };
    }
}
