using DiMml.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.MLNet.Tests;

/// <summary>A row of the small two-modality problem used by the ML.NET tests.</summary>
public sealed class TwoViewRow
{
    public const int Size = 8;

    public string Label { get; set; } = "";

    [VectorType(Size)]
    public float[] Top { get; set; } = [];

    [VectorType(Size)]
    public float[] Bottom { get; set; } = [];
}

/// <summary>Scored output read back through a PredictionEngine or CreateEnumerable.</summary>
public sealed class TwoViewPrediction
{
    public string PredictedLabel { get; set; } = "";

    public float[] Score { get; set; } = [];

    public float[] BranchWeights { get; set; } = [];
}

internal static class TwoViewRows
{
    public static readonly string[] ClassNames = ["cat", "dog", "owl"];

    /// <summary>Separable Gaussian clusters; each view alone separates the classes. <paramref name="seed"/> fixes the
    /// problem, <paramref name="sample"/> the rows: a test split is the same seed with another sample.</summary>
    public static TwoViewRow[] Make(int rows, int seed, double separation = 5, int sample = 0)
    {
        using var data = Synthetic.Clusters(rows, 2, TwoViewRow.Size, ClassNames.Length, separation, seed, sample);
        var top = data.Features(0).data<float>().ToArray();
        var bottom = data.Features(1).data<float>().ToArray();
        var labels = data.Labels.data<long>().ToArray();
        return Enumerable.Range(0, rows).Select(i => new TwoViewRow
        {
            Label = ClassNames[labels[i]],
            Top = top.AsSpan(i * TwoViewRow.Size, TwoViewRow.Size).ToArray(),
            Bottom = bottom.AsSpan(i * TwoViewRow.Size, TwoViewRow.Size).ToArray(),
        }).ToArray();
    }

    public static DiMmlTrainer.Options SmallOptions(int epochs = 6)
    {
        var options = new DiMmlTrainer.Options
        {
            Epochs = epochs,
            BatchSize = 32,
            LearningRate = 0.05,
            EmbeddingSize = 16,
            FusionEpochs = 3,
            Seed = 0,
        };
        options.Modalities.Add(new ModalityOptions { Name = "top", ColumnName = "Top", HiddenSizes = [16] });
        options.Modalities.Add(new ModalityOptions { Name = "bottom", ColumnName = "Bottom", HiddenSizes = [16] });
        return options;
    }

    /// <summary>ML.NET keeps SchemaShape.Create internal; users reach GetOutputSchema through pipelines, tests through this.</summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape)
            .GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.Invoke(null, [schema])!;

    public static IEstimator<ITransformer> Pipeline(MLContext ml, DiMmlTrainer.Options options) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.DiMml(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
}
