using Microsoft.ML.Data;

namespace DiMml.Examples;

/// <summary>One Fashion-MNIST image as two modalities: the top and the bottom half (14 x 28 pixels each, in [0, 1]).</summary>
public sealed class FashionRow
{
    public const int HalfSize = 14 * 28;

    public string Label { get; set; } = "";

    [VectorType(HalfSize)]
    public float[] Top { get; set; } = [];

    [VectorType(HalfSize)]
    public float[] Bottom { get; set; } = [];
}

/// <summary>What the quickstart reads back from a PredictionEngine.</summary>
public sealed class FashionPrediction
{
    public string PredictedLabel { get; set; } = "";

    public float[] Score { get; set; } = [];

    public float[] BranchWeights { get; set; } = [];
}
