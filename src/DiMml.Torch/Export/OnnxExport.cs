using DiMml.Graphs;
using DiMml.Torch.Inference;
using DiMml.Torch.Modules;
using TorchSharp.Modules;
using DataType = Onnx.TensorProto.Types.DataType;

namespace DiMml.Torch.Export;

/// <summary>
/// Writes a trained <see cref="MultimodalModel"/> as an ONNX graph (opset 17): NaN-based missing-modality
/// detection, the encoders, the branch heads and the certainty weighting, computing exactly what
/// <see cref="MultimodalModel.Predict"/> computes.
/// </summary>
/// <remarks>
/// Outputs (names in <see cref="DiMmlColumns"/>): <c>Score</c> (fused probabilities), <c>Score.{modality}</c> (each
/// modality branch's probabilities, NaN where that modality is missing), <c>BranchWeights</c> (per-row weights, one per
/// branch) and <c>PredictedIndex</c> (0-based class index, −1 when every branch is missing).
/// </remarks>
public static class OnnxExport
{
    /// <summary>Serialises the model as an ONNX graph.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="inputNames">One graph input name per modality, in modality order (ML.NET needs the column names).</param>
    /// <param name="layout">Batched or per-row shapes.</param>
    /// <param name="metadata">Extra entries for the model's metadata_props.</param>
    /// <param name="outputPrefix">Put before every output name (an ML.NET pipeline scores under internal names and copies them to
    /// the columns the user chose). Default none.</param>
    public static byte[] ToBytes(MultimodalModel model, IReadOnlyList<string> inputNames, OnnxLayout layout,
        IReadOnlyDictionary<string, string>? metadata = null, string outputPrefix = "")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputNames);
        var network = model.Network;
        if (inputNames.Count != network.ModalityCount || inputNames.Distinct().Count() != inputNames.Count)
        {
            throw new ArgumentException($"Give {network.ModalityCount} distinct input names, one per modality.", nameof(inputNames));
        }

        var g = new OnnxGraph();
        string[] outputNames = [DiMmlColumns.Score, DiMmlColumns.BranchWeights, DiMmlColumns.PredictedIndex,
            .. model.ModalityNames.Select(DiMmlColumns.ModalityScore)];
        foreach (var reserved in inputNames.Concat(outputNames.Select(name => outputPrefix + name)))
        {
            g.Reserve(reserved);
        }

        var perRow = layout == OnnxLayout.PerRow;
        var modalities = inputNames.Select((name, m) => Modality(g, network.Encoders[m], name, perRow)).ToArray();
        var branches = CertaintyGraph.Calibrate(g, Branches(g, model, modalities), model.Weighting.BranchTemperatures);
        var fused = CertaintyGraph.Fuse(g, branches, (float)model.Weighting.Temperature, CertaintyMeasure.MaxProbability, out var weights,
            out var anyAvailable,
            model.Weighting.PreferredBranches, Combiner(model.Weighting.Combiner));

        var outputs = new List<(string Name, string Value, DataType Type, long Width)>
        {
            (DiMmlColumns.Score, g.Node("Softmax", "score", [fused], ("axis", 1L)), DataType.Float, network.ClassCount),
        };
        if (model.Kind != ModelKind.Joint)
        {
            // Modality heads feed the Score.{modality} outputs even when they are not fused (fusion-head-only models).
            var modalityLogits = model.Kind == ModelKind.FusionHeadOnly
                ? modalities.Select((m, i) => Linear(g, network.ModalityHeads[i], m.Features)).ToArray()
                : branches.Take(model.ModalityNames.Count).Select(b => b.Logits).ToArray();
            for (var m = 0; m < model.ModalityNames.Count; m++)
            {
                var probabilities = g.Node("Softmax", "modality_score", [modalityLogits[m]], ("axis", 1L));
                outputs.Add((DiMmlColumns.ModalityScore(model.ModalityNames[m]),
                    g.Node("Where", "modality_score", [modalities[m].Available, probabilities, g.Scalar("nan", float.NaN)]), DataType.Float,
                        network.ClassCount));
            }
        }

        outputs.Add((DiMmlColumns.BranchWeights, weights, DataType.Float, branches.Length));
        var argmax = g.Node("ArgMax", "argmax", [fused], ("axis", 1L), ("keepdims", 1L));
        outputs.Add((DiMmlColumns.PredictedIndex, g.Node("Where", "predicted", [anyAvailable, argmax, g.Int64s("missing_index", -1)]),
            DataType.Int64, 1));

        foreach (var (name, value, type, width) in outputs)
        {
            g.VectorOutput(outputPrefix + name, value, type, width, perRow);
        }

        return g.ToModel("DiMml.Torch", Metadata(model, metadata));
    }

    private readonly record struct ModalityValues(string Features, string Available);

    private static ModalityValues Modality(OnnxGraph g, ModalityEncoder encoder, string inputName, bool perRow)
    {
        var (clean, available) = g.VectorInput(inputName, encoder.InputSize, perRow);
        return new ModalityValues(Encoder(g, encoder, clean), available);
    }

    private static string Encoder(OnnxGraph g, ModalityEncoder encoder, string input) => encoder switch
    {
        MlpEncoder mlp => mlp.LinearLayers.Aggregate(input, (x, layer) => g.Node("Relu", "relu", [Linear(g, layer, x)])),
        ResNet18Encoder resnet => ResNetExport.Write(g, resnet, input),
        _ => throw new NotSupportedException($"ONNX export does not know encoder type {encoder.GetType().Name}."),
    };

    private static string Linear(OnnxGraph g, Linear layer, string input)
    {
        var inputs = new List<string> { input, g.Weight("weight", layer.weight!) };
        if (layer.bias is not null)
        {
            inputs.Add(g.Weight("bias", layer.bias));
        }

        return g.Node("Gemm", "linear", inputs, ("transB", 1L));
    }

    private static List<OnnxBranch> Branches(OnnxGraph g, MultimodalModel model, ModalityValues[] modalities)
    {
        var network = model.Network;
        var features = modalities.Select(m => m.Features).ToArray();
        var modalityBranches = modalities.Select((m, i) => new OnnxBranch(Linear(g, network.ModalityHeads[i], m.Features), m.Available))
            .ToList();
        var allAvailable = modalities.Skip(1)
            .Aggregate(modalities[0].Available, (a, m) => g.Node("And", "all_available", [a, m.Available]));
        OnnxBranch FusionBranch() => new(Fusion(g, network.FusionHead!, features), allAvailable);
        return model.Kind switch
        {
            ModelKind.DiMml when network.FusionHead is not null => [.. modalityBranches, FusionBranch()],
            ModelKind.Joint or ModelKind.FusionHeadOnly => [FusionBranch()],
            _ => modalityBranches,
        };
    }

    private static string Fusion(OnnxGraph g, FusionHead head, string[] features)
    {
        switch (head)
        {
            case ConcatFusion concat:
                return Linear(g, concat.Output, g.Node("Concat", "joined", features, ("axis", 1L)));
            case SumFusion sum:
                var maps = sum.Maps.Select((layer, m) => Linear(g, layer, features[m])).ToArray();
                return maps.Skip(1).Aggregate(maps[0], (a, b) => g.Node("Add", "sum", [a, b]));
            case FilmFusion film:
                var parts = g.Node("Split", [Linear(g, film.Film, features[0]), g.Int64s("split", film.EmbeddingSize, film.EmbeddingSize)],
                    [g.Name("gamma"), g.Name("beta")], ("axis", 1L));
                var modulated = g.Node("Add", "film", [g.Node("Mul", "scaled", [parts[0], features[1]]), parts[1]]);
                return Linear(g, film.Output, modulated);
            case GatedFusion gated:
                var gate = g.Node("Sigmoid", "gate", [Linear(g, gated.Gate, features[0])]);
                return Linear(g, gated.Output, g.Node("Mul", "gated", [gate, Linear(g, gated.Value, features[1])]));
            default:
                throw new NotSupportedException($"ONNX export does not know fusion head type {head.GetType().Name}.");
        }
    }

    private static Dictionary<string, string> Metadata(MultimodalModel model, IReadOnlyDictionary<string, string>? extra)
    {
        var metadata = new Dictionary<string, string>
        {
            [ModelMetadataKeys.Kind] = model.Kind.ToString(),
            [ModelMetadataKeys.Modalities] = string.Join("\n", model.ModalityNames),
            [ModelMetadataKeys.InputSizes] = string.Join(",", model.Network.Encoders.Select(e => e.InputSize)),
            [ModelMetadataKeys.Branches] = string.Join("\n", model.BranchNames),
            [ModelMetadataKeys.ClassCount] = model.Network.ClassCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [ModelMetadataKeys.CertaintyTemperature] = model.Weighting.Temperature.ToString("R",
                System.Globalization.CultureInfo.InvariantCulture),
            [ModelMetadataKeys.FusionHead] = model.Network.FusionHead?.Kind.ToString() ?? FusionHeadKind.None.ToString(),
        };
        if (model.Selection is { } selection)
        {
            var invariant = System.Globalization.CultureInfo.InvariantCulture;
            metadata[ModelMetadataKeys.Fusion] = selection.Chosen.Name;
            metadata[ModelMetadataKeys.FusionCandidates] = string.Join("\n",
                selection.Candidates.Select(c => $"{c.Name}={c.HeldOutAccuracy.ToString("R", invariant)}"));
            metadata[ModelMetadataKeys.BranchTemperatures] = string.Join(",",
                selection.BranchTemperatures.Select(t => t.ToString("R", invariant)));
            metadata[ModelMetadataKeys.HeldOutRows] = selection.HeldOutRows.ToString(invariant);
            metadata[ModelMetadataKeys.FusionHeadRows] = selection.HeadSource.ToString();
            metadata[ModelMetadataKeys.RefittedOnAllRows] = selection.RefittedOnAllRows.ToString();
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            metadata[key] = value;
        }

        return metadata;
    }

    private static OnnxCombiner? Combiner(BranchCombiner? combiner) => combiner is null ? null
        : new(combiner.Kind == BranchCombinerKind.Stacked, combiner.BranchCount, combiner.ClassCount, combiner.Weights, combiner.Bias);
}
