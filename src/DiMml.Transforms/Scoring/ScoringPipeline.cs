using DiMml.Serving.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace DiMml.MLNet.Scoring;

/// <summary>
/// The built-in ML.NET estimators that score one of our ONNX graphs: ApplyOnnxModel, outputs copied to their
/// column names where those differ from the graph's, the predicted index turned into a key-typed PredictedLabel
/// with the Label's key values (Hash of the 1-slot index → UInt32 → MapValue with treatValuesAsKeyType), then
/// the helper columns dropped. Everything here loads with plain ML.NET.
/// </summary>
internal static class ScoringPipeline
{
    /// <summary>The estimator chain and the ONNX Runtime execution provider its ONNX step uses.</summary>
    public sealed record ScoringChain(IEstimator<ITransformer> Estimator, string ExecutionProvider);

    private const string HashColumn = "DiMml.PredictedIndexHash";
    private const int HashBits = 31;

    /// <summary>Prefix of the per-row model graph's outputs (<see cref="DiMmlColumns.GraphOutputPrefix"/>).</summary>
    public const string GraphOutputPrefix = DiMmlColumns.GraphOutputPrefix;

    /// <summary>The chain for a model graph exported with <see cref="GraphOutputPrefix"/>: Score, Score.{modality} and
    /// BranchWeights copied to <paramref name="columns"/>' names, the predicted index turned into its PredictedLabel.</summary>
    public static ScoringChain ForModel(
        MLNetEnvironment env, OnnxModelFile perRowOnnx, IReadOnlyList<string> inputColumns, IReadOnlyList<string> modalityNames,
            LabelValues labels, OutputColumnNames columns, string executionProvider)
    {
        var outputs = new[] { (DiMmlColumns.Score, columns.Score) }
            .Concat(modalityNames.Select(m => (DiMmlColumns.ModalityScore(m), columns.ModalityScorePrefix + m)))
            .Append((DiMmlColumns.BranchWeights, columns.BranchWeights))
            .Select(o => (GraphOutputPrefix + o.Item1, o.Item2))
            .ToArray();
        return Create(env, perRowOnnx, inputColumns, outputs, (GraphOutputPrefix + DiMmlColumns.PredictedIndex, columns.PredictedLabel),
            labels, executionProvider);
    }

    /// <summary>Where the environment's GPU setting makes ONNX scoring run (<see cref="OnnxExecutionProvider"/>); decided before
    /// anything is trained, so a setting that cannot be honoured fails at once rather than after training.</summary>
    /// <param name="env">The environment whose <c>GpuDeviceId</c> and <c>FallbackToCpu</c> decide.</param>
    /// <param name="graph">A per-row graph of the model's shape to probe CUDA with; read only when a GPU is asked for.</param>
    public static string ExecutionProvider(MLNetEnvironment env, Func<byte[]> graph)
    {
        var (gpuDeviceId, fallbackToCpu) = env.GpuSetting();
        return OnnxExecutionProvider.Resolve(gpuDeviceId, fallbackToCpu, graph);
    }

    /// <summary>
    /// The estimator chain for a per-row ONNX graph; the file must outlive the fitted chain (Save re-reads it).
    /// </summary>
    /// <remarks><paramref name="outputs"/> lists the graph outputs to keep, each with the column name it gets;
    /// <paramref name="predicted"/> names the graph's 0-based index output and the key-typed column made from it. The ONNX step
    /// runs on <paramref name="executionProvider"/>, from <see cref="ExecutionProvider"/>.</remarks>
    public static ScoringChain Create(
        MLNetEnvironment env, OnnxModelFile perRowOnnx, IReadOnlyList<string> inputColumns,
            IReadOnlyList<(string Graph, string Column)> outputs, (string Graph, string Column) predicted, LabelValues labels,
        string executionProvider)
    {
        var (hashing, keys) = DistinctHashes(env, labels.Values.Length, predicted.Graph);
        var transforms = env.Transforms;
        var provider = executionProvider;
        var gpuDeviceId = env.GpuSetting().GpuDeviceId;
        // ML.NET's ONNX step reads the GPU id from its environment even when passed null: a CPU decision under a GPU id
        // builds that step in an environment without one.
        var onnxTransforms = provider == OnnxExecutionProvider.Cpu && gpuDeviceId is not null ? new MLContext().Transforms : transforms;
        var renamed = outputs.Where(o => o.Graph != o.Column).ToArray();
        IEstimator<ITransformer> chain = onnxTransforms.ApplyOnnxModel(
            outputs.Select(o => o.Graph).Append(predicted.Graph).ToArray(), inputColumns.ToArray(), perRowOnnx.Path);
        foreach (var (graph, column) in renamed)
        {
            chain = chain.Append(transforms.CopyColumns(column, graph));
        }

        return new(chain
            .Append(transforms.Conversion.Hash([hashing]))
            .Append(transforms.Conversion.ConvertType(HashColumn, HashColumn, DataKind.UInt32))
            .Append(labels.MapToKey(transforms, predicted.Column, HashColumn, keys))
            .Append(transforms.DropColumns(renamed.Select(o => o.Graph).Append(predicted.Graph).Append(HashColumn).ToArray())),
            provider);
    }

    // The hash of each class index as ML.NET computes it, with a seed under which no two classes collide
    // (and none collides with the missing index −1, which must map to the missing key).
    private static (HashingEstimator.ColumnOptions Options, uint[] Keys) DistinctHashes(MLNetEnvironment env, int classCount,
        string indexColumn)
    {
        var rows = Enumerable.Range(-1, classCount + 1).Select(i => new IndexRow { PredictedIndex = [i] }).ToArray();
        var view = env.Data.LoadFromEnumerable(rows);
        for (uint seed = 314489979; ; seed++)
        {
            var options = new HashingEstimator.ColumnOptions(HashColumn, DiMmlColumns.PredictedIndex, HashBits, seed, false, 0,
                combine: true);
            var hashed = env.Transforms.Conversion.Hash([options])
                .Append(env.Transforms.Conversion.ConvertType(HashColumn, HashColumn, DataKind.UInt32))
                .Fit(view).Transform(view);
            var hashes = hashed.GetColumn<uint>(HashColumn).ToArray();
            if (hashes.Distinct().Count() == hashes.Length)
            {
                return (new HashingEstimator.ColumnOptions(HashColumn, indexColumn, HashBits, seed, false, 0, combine: true), hashes[1..]);
            }
        }
    }

    private sealed class IndexRow
    {
        [VectorType(1)]
        [ColumnName(DiMmlColumns.PredictedIndex)]
        public long[] PredictedIndex { get; set; } = [];
    }
}
