using DataType = Onnx.TensorProto.Types.DataType;

namespace DiMml.Graphs;

/// <summary>The names of a certainty-fusion graph's outputs.</summary>
/// <param name="Score">Fused class probabilities <c>[C]</c> per row.</param>
/// <param name="BranchWeights">Weight of each input per row <c>[K]</c>.</param>
/// <param name="PredictedIndex">0-based class index <c>[1]</c> (int64), −1 when every input of the row is missing.</param>
internal sealed record FusionOutputNames(string Score, string BranchWeights, string PredictedIndex);

/// <summary>
/// Writes certainty-aware logit weighting over the score vectors of any classifiers as an ONNX graph (opset 17).
/// Probability inputs are turned into logits with log(max(p, 1e-12)), so the fused distribution is the
/// weighted geometric mean of the inputs; logit inputs are used as they are. A row of an input that holds a NaN
/// drops that input for the row.
/// </summary>
internal static class FusionOnnxExport
{
    /// <summary>Serialises the fusion graph.</summary>
    /// <param name="inputNames">One input per fused branch (K ≥ 1), each <c>[classCount]</c> per row.</param>
    /// <param name="classCount">Number of classes C.</param>
    /// <param name="inputsAreLogits">Whether the inputs are logits (else probabilities).</param>
    /// <param name="measure">How a branch's certainty is measured.</param>
    /// <param name="temperature">Temperature T &gt; 0 of the weights.</param>
    /// <param name="outputs">Output names (must differ from the input names).</param>
    /// <param name="layout">Per-row (ML.NET) or batched shapes.</param>
    /// <param name="metadata">Entries for the model's metadata_props.</param>
    /// <param name="inputTemperatures">Optional calibration temperature per input (<see cref="Calibration.TemperatureSearch"/>):
    /// each input's logits are divided by it before the weighting; null for none.</param>
    public static byte[] ToBytes(
        IReadOnlyList<string> inputNames, int classCount, bool inputsAreLogits, CertaintyMeasure measure, double temperature,
        FusionOutputNames outputs, OnnxLayout layout, IReadOnlyDictionary<string, string>? metadata = null,
            IReadOnlyList<double>? inputTemperatures = null)
    {
        ArgumentNullException.ThrowIfNull(inputNames);
        ArgumentNullException.ThrowIfNull(outputs);
        var outputNames = new[] { outputs.Score, outputs.BranchWeights, outputs.PredictedIndex };
        if (inputNames.Count == 0 || inputNames.Concat(outputNames).Distinct().Count() != inputNames.Count + outputNames.Length)
        {
            throw new ArgumentException("Give at least one input, and input and output names that are all distinct.", nameof(inputNames));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        if (!double.IsFinite(temperature) || temperature <= 0 || inputTemperatures?.Any(t => !double.IsFinite(t) || t <= 0) == true)
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), "The certainty temperature and every input temperature must be " +
                "finite numbers > 0.");
        }

        if (inputTemperatures is not null && inputTemperatures.Count != inputNames.Count)
        {
            throw new ArgumentException("Give one calibration temperature per input.", nameof(inputTemperatures));
        }

        var g = new OnnxGraph();
        foreach (var name in inputNames.Concat(outputNames))
        {
            g.Reserve(name);
        }

        var perRow = layout == OnnxLayout.PerRow;
        var branches = inputNames.Select(name =>
        {
            var (clean, available) = g.VectorInput(name, classCount, perRow);
            var logits = inputsAreLogits ? clean : g.Node("Log", "log_p", [g.Node("Max", "p_floor", [clean, g.Scalar("tiny", 1e-12f)])]);
            return new OnnxBranch(logits, available);
        }).ToArray();
        branches = CertaintyGraph.Calibrate(g, branches, inputTemperatures);
        var fused = CertaintyGraph.Fuse(g, branches, (float)temperature, measure, out var weights, out var anyAvailable);
        var argmax = g.Node("ArgMax", "argmax", [fused], ("axis", 1L), ("keepdims", 1L));
        g.VectorOutput(outputs.Score, g.Node("Softmax", "score", [fused], ("axis", 1L)), DataType.Float, classCount, perRow);
        g.VectorOutput(outputs.BranchWeights, weights, DataType.Float, inputNames.Count, perRow);
        g.VectorOutput(outputs.PredictedIndex, g.Node("Where", "predicted", [anyAvailable, argmax, g.Int64s("missing_index", -1)]),
            DataType.Int64, 1, perRow);
        var entries = new Dictionary<string, string>
        {
            [ModelMetadataKeys.Kind] = "CertaintyWeightedFusion",
            [ModelMetadataKeys.Branches] = string.Join("\n", inputNames),
            [ModelMetadataKeys.Certainty] = measure.ToString(),
            [ModelMetadataKeys.CertaintyTemperature] = temperature.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            [ModelMetadataKeys.InputsAreLogits] = inputsAreLogits.ToString(),
        };
        if (inputTemperatures is not null)
        {
            entries[ModelMetadataKeys.BranchTemperatures] = string.Join(",",
                inputTemperatures.Select(t => t.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        }

        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            entries[key] = value;
        }

        return g.ToModel("DiMml.Torch", entries);
    }
}
