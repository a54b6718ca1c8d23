using DiMml.MLNet.Scoring;
using Microsoft.ML;

namespace DiMml.MLNet;

/// <summary>
/// Fitted certainty-weighted fusion (see <see cref="CertaintyWeightedFusionEstimator"/>); scores through ML.NET's
/// ONNX transformer and saves with <c>mlContext.Model.Save</c> like any built-in transformer.
/// </summary>
public sealed class CertaintyWeightedFusionTransformer : OnnxScoredTransformer
{
    internal CertaintyWeightedFusionTransformer(ITransformer scoring, OnnxModelFile graph, byte[] standaloneGraph)
        : base(scoring, graph, standaloneGraph)
    {
    }
}
