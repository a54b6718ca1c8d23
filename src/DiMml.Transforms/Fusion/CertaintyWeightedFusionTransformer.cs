using DiMml.MLNet.Scoring;
using Microsoft.ML;

namespace DiMml;

/// <summary>
/// Fitted certainty-weighted fusion (see <see cref="CertaintyWeightedFusionEstimator"/>); scores through ML.NET's
/// ONNX transformer and saves with <c>mlContext.Model.Save</c> like any built-in transformer.
/// </summary>
public sealed class CertaintyWeightedFusionTransformer : OnnxScoredTransformer
{
    internal CertaintyWeightedFusionTransformer(ITransformer scoring, OnnxModelFile graph, byte[] standaloneGraph,
        IReadOnlyList<double>? inputTemperatures)
        : base(scoring, graph, standaloneGraph)
    {
        InputTemperatures = inputTemperatures;
    }

    /// <summary>With <see cref="CertaintyWeightedFusionEstimator.Options.Calibrate"/>: the temperature fitted for each input,
    /// in input order; otherwise null.</summary>
    public IReadOnlyList<double>? InputTemperatures { get; }
}
