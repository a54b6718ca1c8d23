using DataType = Onnx.TensorProto.Types.DataType;

namespace DiMml.Graphs;

/// <summary>One branch of a fused prediction in an ONNX graph: its logits <c>[N, C]</c> and availability <c>[N, 1]</c> (bool).</summary>
internal readonly record struct OnnxBranch(string Logits, string Available);

/// <summary>A fitted combiner of the certainty-weighted branches, as the graph needs it: per-class factors <c>[K, C]</c> or the
/// stacked regression's weights <c>[K·C, C]</c>, row-major, and its bias <c>[C]</c>.</summary>
internal sealed record OnnxCombiner(
    bool Stacked, int BranchCount, int ClassCount, IReadOnlyList<double> Weights, IReadOnlyList<double> Bias);

/// <summary>
/// Certainty-aware logit weighting as ONNX nodes, node for node what the core's <c>CertaintyWeighting.Fuse</c> computes
/// (with the max-probability measure): per-row certainty of each branch, weights <c>softmax(c / T)</c> over the
/// available branches (NaN when none is), fused logits <c>Σ w_k z_k</c>. Branch logits come in already calibrated; preferred
/// branches restrict the weights as the core's <c>CertaintyWeighting.PreferredBranches</c> describes.
/// </summary>
internal static class CertaintyGraph
{
    public static string Fuse(
        OnnxGraph g, IReadOnlyList<OnnxBranch> branches, float temperature, CertaintyMeasure measure, out string weights,
            out string anyAvailable,
        IReadOnlyList<bool>? preferred = null, OnnxCombiner? combiner = null)
    {
        var certainty = branches.Select(b => Certainty(g, g.Node("Softmax", "branch_probabilities", [b.Logits], ("axis", 1L)), measure))
            .ToArray();
        var scaled = g.Node("Div", "scaled_certainty",
            [g.Node("Concat", "certainties", certainty, ("axis", 1L)), g.Scalar("temperature", temperature)]);
        var present = g.Node("Concat", "branch_available", branches.Select(b => b.Available), ("axis", 1L));
        var available = Preferred(g, present, preferred);
        var masked = g.Node("Where", "masked_certainty", [available, scaled, g.Scalar("minus_infinity", float.NegativeInfinity)]);
        anyAvailable = g.Node("Greater", "any_available", [
            g.Node("ReduceMax", "available_max", [g.Node("Cast", "available_float", [available], ("to", (long)DataType.Float))],
                ("axes", new[] { 1L }), ("keepdims", 1L)),
            g.Scalar("half", 0.5f)]);
        weights = g.Node("Where", "weights",
            [anyAvailable, g.Node("Softmax", "softmax_weights", [masked], ("axis", 1L)), g.Scalar("nan", float.NaN)]);
        var parts = branches.Count == 1
            ? [weights]
            : g.Node("Split", [weights, g.Int64s("split", Enumerable.Repeat(1L, branches.Count).ToArray())],
                branches.Select(_ => g.Name("branch_weight")).ToArray(), ("axis", 1L));
        var terms = branches.Select((b, k) =>
            g.Node("Mul", "weighted", [parts[k], g.Node("Where", "kept_logits", [b.Available, b.Logits, g.Scalar("zero", 0f)])])).ToArray();
        var fused = Sum(g, terms);
        return combiner is null ? fused : Combine(g, combiner, branches, parts, present, fused);
    }

    private static string Sum(OnnxGraph g, string[] terms) => terms.Skip(1).Aggregate(terms[0], (a, t) => g.Node("Add", "fused", [a, t]));

    // What the core's BranchCombiner.Combine computes: per-class factors on the weighted log-probabilities, or the stacked regression for
    // rows with every branch present (the weighted sum elsewhere).
    private static string Combine(OnnxGraph g, OnnxCombiner combiner, IReadOnlyList<OnnxBranch> branches, string[] weights,
        string present,
        string weightedSum)
    {
        var classes = combiner.ClassCount;
        var logProbabilities = branches.Select(b => g.Node("LogSoftmax", "branch_log_probabilities", [b.Logits], ("axis", 1L))).ToArray();
        var values = combiner.Weights.Select(v => (float)v).ToArray();
        var bias = g.Floats("combiner_bias", combiner.Bias.Select(v => (float)v).ToArray(), 1, classes);
        if (!combiner.Stacked)
        {
            var terms = logProbabilities.Select((lp, k) =>
            {
                var factors = g.Floats("class_factors", values[(k * classes)..((k + 1) * classes)], 1, classes);
                var kept = g.Node("Where", "kept_log_probabilities",
                    [g.Node("Equal", "zero_weight", [weights[k], g.Scalar("zero", 0f)]), g.Scalar("zero", 0f),
                        g.Node("Mul", "class_weighted", [lp, factors])]);
                return g.Node("Mul", "per_class_term", [weights[k], kept]);
            }).ToArray();
            return g.Node("Add", "per_class_fused", [Sum(g, terms), bias]);
        }

        var features = g.Node("Concat", "stacked_features", logProbabilities, ("axis", 1L));
        var stacked = g.Node("Add", "stacked_logits",
            [g.Node("MatMul", "stacked_product",
                [features, g.Floats("stacked_weights", values, combiner.BranchCount * classes, classes)]), bias]);
        var all = g.Node("Greater", "all_available", [
            g.Node("ReduceMin", "present_min", [g.Node("Cast", "present_float", [present], ("to", (long)DataType.Float))],
                ("axes", new[] { 1L }), ("keepdims", 1L)),
            g.Scalar("half", 0.5f)]);
        return g.Node("Where", "stacked_fused", [all, stacked, weightedSum]);
    }

    /// <summary>Scales each branch's logits by its inverse calibration temperature (no node for τ = 1).</summary>
    public static OnnxBranch[] Calibrate(OnnxGraph g, IReadOnlyList<OnnxBranch> branches, IReadOnlyList<double>? temperatures) =>
        branches.Select((b, k) => temperatures is null || temperatures[k] == 1.0
            ? b
            : b with
            {
                Logits = g.Node("Mul", "calibrated_logits",
                [b.Logits, g.Scalar("inverse_temperature", (float)(1.0 / temperatures[k]))])
            }).ToArray();

    // Available preferred branches, or every available branch for a row with none of them.
    private static string Preferred(OnnxGraph g, string available, IReadOnlyList<bool>? preferred)
    {
        if (preferred is null)
        {
            return available;
        }

        var mask = g.Node("Cast", "preferred", [g.Int64s("preferred_flags", preferred.Select(p => p ? 1L : 0L).ToArray())],
            ("to", (long)DataType.Bool));
        var kept = g.Node("And", "preferred_available", [available, mask]);
        var anyKept = g.Node("Greater", "any_preferred", [
            g.Node("ReduceMax", "preferred_max", [g.Node("Cast", "preferred_float", [kept], ("to", (long)DataType.Float))],
                ("axes", new[] { 1L }), ("keepdims", 1L)),
            g.Scalar("half", 0.5f)]);
        // ONNX Runtime has no bool Where: (any ∧ kept) ∨ (¬any ∧ available).
        return g.Node("Or", "fused_available", [
            g.Node("And", "kept_if_any", [anyKept, kept]),
            g.Node("And", "available_if_none", [g.Node("Not", "no_preferred", [anyKept]), available])]);
    }

    /// <summary>Per-row certainty <c>[N, 1]</c> of class probabilities <c>[N, C]</c>.</summary>
    private static string Certainty(OnnxGraph g, string probabilities, CertaintyMeasure measure)
    {
        switch (measure)
        {
            case CertaintyMeasure.Entropy:
                var logP = g.Node("Log", "log_p", [g.Node("Max", "p_floor", [probabilities, g.Scalar("tiny", 1e-12f)])]);
                var entropy = g.Node("ReduceSum", "entropy", [g.Node("Mul", "p_log_p", [probabilities, logP]), g.Int64s("axes", 1)],
                    ("keepdims", 1L));
                var classes = g.Node("Cast", "class_count", [g.Node("Shape", "p_shape", [probabilities], ("start", 1L))],
                    ("to", (long)DataType.Float));
                var normalised = g.Node("Div", "normalised_entropy", [entropy, g.Node("Log", "log_classes", [classes])]);
                return g.Node("Add", "entropy_certainty", [g.Scalar("one", 1f), normalised]);
            case CertaintyMeasure.Margin:
                var top = g.Node("TopK", [probabilities, g.Int64s("two", 2)], [g.Name("top2"), g.Name("top2_index")], ("axis", 1L))[0];
                var split = g.Node("Split", [top, g.Int64s("split", 1, 1)], [g.Name("first"), g.Name("second")], ("axis", 1L));
                return g.Node("Sub", "margin", [split[0], split[1]]);
            default:
                return g.Node("ReduceMax", "certainty", [probabilities], ("axes", new[] { 1L }), ("keepdims", 1L));
        }
    }
}
