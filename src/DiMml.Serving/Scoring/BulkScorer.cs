using DiMml.Graphs;
using DiMml.Serving.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DiMml;

/// <summary>
/// Scores a large IDataView in batches through the batched ONNX graph of a trained model (<c>ExportOnnx</c>), one ONNX
/// Runtime call per batch instead of ML.NET's one call per row. The predictions equal <c>Transform</c>'s (Score,
/// BranchWeights, PredictedLabel as the class name), in input order; the input is read once, with one cursor.
/// </summary>
public sealed class BulkScorer : IDisposable
{
    private readonly InferenceSession session;
    private readonly int[] inputSizes;
    private readonly string[] modalityOutputs;

    /// <summary>Creates a scorer from a batched graph written by <c>ExportOnnx</c> (or use <c>CreateBulkScorer</c> on a trained
    /// model).</summary>
    /// <param name="batchedOnnx">The .onnx bytes.</param>
    /// <param name="options">ONNX Runtime session settings (threads, execution provider); null for the defaults.</param>
    public BulkScorer(byte[] batchedOnnx, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batchedOnnx);
        try
        {
            session = OnnxRuntimeBackend.Explain(() =>
                options is null ? new InferenceSession(batchedOnnx) : new InferenceSession(batchedOnnx, options));
        }
        catch (OnnxRuntimeException e)
        {
            throw new ArgumentException($"ONNX Runtime cannot load these bytes ({e.Message}); pass the graph written by ExportOnnx.",
                nameof(batchedOnnx), e);
        }

        var metadata = session.ModelMetadata.CustomMetadataMap;
        if (!metadata.ContainsKey(ModelMetadataKeys.Kind) || !metadata.TryGetValue(ModelMetadataKeys.Columns, out var columns)
            || !metadata.TryGetValue(ModelMetadataKeys.Classes, out var classes))
        {
            session.Dispose();
            throw new ArgumentException(
                $"This ONNX graph is not a trained DI-MML model's batched export (no {ModelMetadataKeys.Columns} / " +
                $"{ModelMetadataKeys.Classes} metadata); write it with ExportOnnx.", nameof(batchedOnnx));
        }

        InputColumns = columns.Split('\n');
        ClassNames = classes.Split('\n');
        inputSizes = InputColumns.Select(c => (int)session.InputMetadata[c].Dimensions[1]).ToArray();
        var modalities = metadata.GetValueOrDefault(ModelMetadataKeys.Modalities, "");
        ModalityNames = modalities.Length == 0 ? [] : modalities.Split('\n');
        // All or none, so that ModalityScores[m] is always modality m's (joint baselines have none).
        var outputs = ModalityNames.Select(DiMmlColumns.ModalityScore).ToArray();
        modalityOutputs = outputs.All(session.OutputMetadata.ContainsKey) ? outputs : [];
    }

    /// <summary>Creates a scorer for the DI-MML graph inside a model zip saved by <c>mlContext.Model.Save</c> (the first DI-MML
    /// step of its pipeline): the saved per-row graph, given its batch dimension back. The scorer reads the DI-MML step's
    /// input columns; steps before it in the pipeline (featurizers) are not run.</summary>
    /// <param name="modelPath">Path of the model zip.</param>
    /// <param name="options">ONNX Runtime session settings (threads, execution provider); null for the defaults.</param>
    /// <exception cref="InvalidDataException">The file is not a readable model zip with a DI-MML graph.</exception>
    public static BulkScorer FromModelFile(string modelPath, SessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return new BulkScorer(BatchedGraph.FromPerRow(DiMmlModelInfo.ReadGraphFile(modelPath)), options);
    }

    /// <summary>Creates a scorer for the DI-MML graph inside a model zip read from <paramref name="modelZip"/> (see
    /// <see cref="FromModelFile"/>).</summary>
    /// <param name="modelZip">The model zip.</param>
    /// <param name="options">ONNX Runtime session settings (threads, execution provider); null for the defaults.</param>
    /// <exception cref="InvalidDataException">The stream is not a model zip with a DI-MML graph.</exception>
    public static BulkScorer FromModelZip(Stream modelZip, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelZip);
        return new BulkScorer(BatchedGraph.FromPerRow(DiMmlModelInfo.ReadGraph(modelZip).Graph), options);
    }

    /// <summary>The modality columns the model reads, in input order.</summary>
    public IReadOnlyList<string> InputColumns { get; }

    /// <summary>Class names, in the order of the Score slots.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The trained vector size of each input column, in <see cref="InputColumns"/> order.</summary>
    public IReadOnlyList<int> InputSizes => inputSizes;

    /// <summary>The modality names, in input order (the names of <see cref="BulkPrediction.ModalityScores"/>).</summary>
    public IReadOnlyList<string> ModalityNames { get; }

    /// <summary>Scores <paramref name="rows"/> rows given as one row-major array per input column: <c>inputs[m]</c> holds
    /// <c>rows x InputSizes[m]</c> floats, a row of NaN marking that modality missing for the row.</summary>
    /// <param name="inputs">One array per input column, in <see cref="InputColumns"/> order.</param>
    /// <param name="rows">Rows in the arrays (at least 1).</param>
    /// <exception cref="ArgumentException">The arrays do not match the model's inputs; the message names the column.</exception>
    public BulkPrediction[] Score(IReadOnlyList<float[]> inputs, int rows)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        if (inputs.Count != inputSizes.Length)
        {
            throw new ArgumentException($"Give {inputSizes.Length} input arrays ({string.Join(", ", InputColumns)}), not {inputs.Count}.",
                nameof(inputs));
        }

        for (var m = 0; m < inputs.Count; m++)
        {
            if (inputs[m] is null || inputs[m].Length < (long)rows * inputSizes[m])
            {
                throw new ArgumentException($"Input '{InputColumns[m]}' needs {rows} x {inputSizes[m]} floats, has " +
                    $"{inputs[m]?.Length ?? 0}.", nameof(inputs));
            }
        }

        return Run(inputs, rows);
    }

    /// <summary>Scores every row of <paramref name="data"/>, lazily, batch by batch.</summary>
    /// <param name="data">Rows with the model's modality columns (known-size float vectors of the trained sizes).</param>
    /// <param name="batchSize">Rows per ONNX Runtime call. Default 1024.</param>
    public IEnumerable<BulkPrediction> Score(IDataView data, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var columns = InputColumns.Select((name, m) => Column(data.Schema, name, inputSizes[m])).ToArray();
        return Batches(data, columns, batchSize);
    }

    /// <summary>Scores every row of <paramref name="data"/> into an IDataView with Score, BranchWeights and PredictedLabel
    /// (text), computed when a cursor reads it.</summary>
    /// <param name="mlContext">The context that builds the view.</param>
    /// <param name="data">Rows with the model's modality columns.</param>
    /// <param name="batchSize">Rows per ONNX Runtime call. Default 1024.</param>
    public IDataView Transform(MLContext mlContext, IDataView data, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        var rows = Score(data, batchSize);
        var schema = SchemaDefinition.Create(typeof(BulkPrediction));
        schema[nameof(BulkPrediction.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, ClassNames.Count);
        schema[nameof(BulkPrediction.BranchWeights)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, BranchCount);
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    /// <inheritdoc />
    public void Dispose() => session.Dispose();

    private int BranchCount => (int)session.OutputMetadata[DiMmlColumns.BranchWeights].Dimensions[1];

    private static DataViewSchema.Column Column(DataViewSchema schema, string name, int size) =>
        schema.GetColumnOrNull(name) is { Type: VectorDataViewType { ItemType: NumberDataViewType n } v } column
            && n == NumberDataViewType.Single && v.Size == size
            ? column
            : throw new ArgumentException(
                $"Column '{name}' must be a vector of {size} Single values (as in training), but it is " +
                    $"{schema.GetColumnOrNull(name)?.Type.ToString() ?? "missing"}. " +
                "Transform the data with the same steps as the training data.", name);

    private IEnumerable<BulkPrediction> Batches(IDataView data, DataViewSchema.Column[] columns, int batchSize)
    {
        using var cursor = data.GetRowCursor(columns);
        var getters = columns.Select(c => cursor.GetGetter<VBuffer<float>>(c)).ToArray();
        var buffers = inputSizes.Select(size => new float[batchSize * size]).ToArray();
        var row = default(VBuffer<float>);
        while (true)
        {
            var rows = 0;
            while (rows < batchSize && cursor.MoveNext())
            {
                for (var m = 0; m < getters.Length; m++)
                {
                    getters[m](ref row);
                    row.CopyTo(buffers[m], rows * inputSizes[m]);
                }

                rows++;
            }

            if (rows == 0)
            {
                yield break;
            }

            foreach (var prediction in Run(buffers, rows))
            {
                yield return prediction;
            }
        }
    }

    private BulkPrediction[] Run(IReadOnlyList<float[]> buffers, int rows)
    {
        var inputs = InputColumns.Select((name, m) => NamedOnnxValue.CreateFromTensor(name,
            new DenseTensor<float>(buffers[m].AsMemory(0, rows * inputSizes[m]), [rows, inputSizes[m]]))).ToArray();
        using var results = session.Run(inputs, [DiMmlColumns.Score, DiMmlColumns.BranchWeights, DiMmlColumns.PredictedIndex,
            .. modalityOutputs]);
        var score = results[0].AsTensor<float>().ToArray();
        var weights = results[1].AsTensor<float>().ToArray();
        var index = results[2].AsTensor<long>().ToArray();
        var modalityScores = modalityOutputs.Select((_, m) => results[3 + m].AsTensor<float>().ToArray()).ToArray();
        var (classes, branches) = (ClassNames.Count, weights.Length / rows);
        return Enumerable.Range(0, rows).Select(i => new BulkPrediction
        {
            Score = score.AsSpan(i * classes, classes).ToArray(),
            BranchWeights = weights.AsSpan(i * branches, branches).ToArray(),
            PredictedLabel = index[i] >= 0 ? ClassNames[(int)index[i]] : "",
            ModalityScores = modalityScores.Select(s => s.AsSpan(i * classes, classes).ToArray()).ToArray(),
        }).ToArray();
    }
}
