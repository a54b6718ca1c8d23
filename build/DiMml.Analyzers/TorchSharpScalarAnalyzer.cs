using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DiMml.Analyzers;

/// <summary>
/// Finds the TorchSharp Scalars that nothing keeps alive across the native call they are made for. TorchSharp frees a
/// Scalar's native handle in its finalizer, and a Scalar that is only an argument is unreachable once its handle is read,
/// so a GC during the call can free it while libtorch reads it (wrong values, "Expected false to be true" in toFloat, or
/// heap corruption). DIMML001: a number converted to a Scalar implicitly, or a ToScalar() result that is not a using
/// declaration's. DIMML002: a TorchSharp member that makes such a Scalar inside (listed in HiddenScalarMembers.txt, read
/// from TorchSharp's IL by a test that fails when the list goes stale).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TorchSharpScalarAnalyzer : DiagnosticAnalyzer
{
    private const string ScalarType = "TorchSharp.Scalar";

    /// <summary>A Scalar made implicitly, or made and not owned by a using declaration.</summary>
    public static readonly DiagnosticDescriptor ImplicitScalar = new(
        "DIMML001",
        "TorchSharp Scalar without an owner",
        "{0} makes a TorchSharp Scalar that the GC may free during the native call; create it with ToScalar() in a using " +
            "declaration and pass that local",
        "Reliability",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    /// <summary>A TorchSharp member that makes a Scalar inside and lets it go during its native call.</summary>
    public static readonly DiagnosticDescriptor HiddenScalar = new(
        "DIMML002",
        "TorchSharp member with a hidden Scalar",
        "'{0}' makes a TorchSharp Scalar inside that the GC may free during its native call; call an overload that takes " +
            "a Scalar, a using-declared local, as DiMml.Torch.Runtime.ScalarMath does",
        "Reliability",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    private static readonly ImmutableHashSet<string> HiddenScalarMembers = ReadMembers();

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(ImplicitScalar, HiddenScalar);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(AnalyzeConversion, OperationKind.Conversion);
        context.RegisterOperationAction(AnalyzeInvocation, OperationKind.Invocation);
        context.RegisterOperationAction(c => AnalyzeMember(c, ((IBinaryOperation)c.Operation).OperatorMethod), OperationKind.Binary);
        context.RegisterOperationAction(c => AnalyzeMember(c, ((IUnaryOperation)c.Operation).OperatorMethod), OperationKind.Unary);
        context.RegisterOperationAction(c => AnalyzeMember(c, ((ICompoundAssignmentOperation)c.Operation).OperatorMethod),
            OperationKind.CompoundAssignment);
        context.RegisterOperationAction(c => AnalyzeMember(c, ((IPropertyReferenceOperation)c.Operation).Property.GetMethod),
            OperationKind.PropertyReference);
        context.RegisterOperationAction(c => AnalyzeMember(c, ((IObjectCreationOperation)c.Operation).Constructor),
            OperationKind.ObjectCreation);
        // .Aggregate(torch.add) calls the member as much as torch.add(a, b) does.
        context.RegisterOperationAction(c => AnalyzeMember(c, ((IMethodReferenceOperation)c.Operation).Method),
            OperationKind.MethodReference);
    }

    /// <summary>The documentation-comment id of every listed member.</summary>
    public static IReadOnlyCollection<string> Members => HiddenScalarMembers;

    private static void AnalyzeConversion(OperationAnalysisContext context)
    {
        var conversion = (IConversionOperation)context.Operation;
        // Implicit or written as a cast, the conversion makes a Scalar that nothing owns.
        if (conversion.OperatorMethod is { } method && method.ContainingType.ToDisplayString() == ScalarType)
        {
            context.ReportDiagnostic(Diagnostic.Create(ImplicitScalar, conversion.Syntax.GetLocation(),
                $"'{conversion.Operand.Syntax}' as a Scalar"));
        }
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.Name == "ToScalar" && method.ReturnType.ToDisplayString() == ScalarType && !OwnedByUsing(invocation))
        {
            context.ReportDiagnostic(Diagnostic.Create(ImplicitScalar, invocation.Syntax.GetLocation(), $"'{invocation.Syntax}'"));
        }

        AnalyzeMember(context, method);
    }

    private static void AnalyzeMember(OperationAnalysisContext context, IMethodSymbol? method)
    {
        var id = method?.OriginalDefinition.GetDocumentationCommentId();
        if (id is not null && HiddenScalarMembers.Contains(id))
        {
            context.ReportDiagnostic(Diagnostic.Create(HiddenScalar, context.Operation.Syntax.GetLocation(), method!.ToDisplayString()));
        }
    }

    // using var s = x.ToScalar(); or using (var s = x.ToScalar()) { ... }
    private static bool OwnedByUsing(IOperation operation) =>
        operation.Parent is IVariableInitializerOperation
        {
            Parent: IVariableDeclaratorOperation
            {
                Parent: IVariableDeclarationOperation
                {
                    Parent: IVariableDeclarationGroupOperation { Parent: IUsingDeclarationOperation or IUsingOperation } or IUsingOperation
                }
            }
        };

    private static ImmutableHashSet<string> ReadMembers()
    {
        using var stream = typeof(TorchSharpScalarAnalyzer).Assembly.GetManifestResourceStream("HiddenScalarMembers.txt")!;
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith("#", System.StringComparison.Ordinal))
            {
                lines.Add(line);
            }
        }

        return lines.ToImmutableHashSet();
    }
}
