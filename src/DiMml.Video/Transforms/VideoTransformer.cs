using DiMml.MLNet.Scoring;
using Microsoft.ML;

namespace DiMml;

/// <summary>
/// Fitted video transform (<c>Transforms.VideoFrames</c> or <c>Transforms.OpticalFlow</c>). It saves with
/// <c>mlContext.Model.Save</c>; a serving app that loads it references DiMml.Serving and DiMml.Video (no TorchSharp) with a
/// native OpenCV runtime, and first calls
/// <c>mlContext.ComponentCatalog.RegisterAssembly(typeof(DiMml.Video.VideoDecodeContracts).Assembly)</c>.
/// <see cref="OnnxScoredTransformer.ExportOnnx"/> writes the graph of its last step (which cuts the decoded values to size).
/// </summary>
public sealed class VideoTransformer : OnnxScoredTransformer
{
    internal VideoTransformer(ITransformer scoring, OnnxModelFile graph, byte[] standaloneGraph, ModalityShape shape)
        : base(scoring, graph, standaloneGraph) => Shape = shape;

    /// <summary>The layout of the output column: declare it as the modality's Shape.</summary>
    public ModalityShape Shape { get; }
}
