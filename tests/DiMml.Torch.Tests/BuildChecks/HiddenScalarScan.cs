using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

namespace DiMml.Torch.Tests.BuildChecks;

/// <summary>
/// Reads TorchSharp's IL for the public members that make a Scalar (an implicit conversion or ToScalar) and let it go
/// without disposing it, directly or through another such member of TorchSharp (calls and delegates alike): the list the
/// DIMML002 build check forbids, as documentation-comment ids.
/// </summary>
internal static class HiddenScalarScan
{
    public static SortedSet<string> Members(string torchSharpPath)
    {
        using var module = ModuleDefinition.ReadModule(torchSharpPath);
        var methods = module.Types.SelectMany(Nested).SelectMany(t => t.Methods).Where(m => m.HasBody).ToList();
        var flagged = methods.Where(m => m.DeclaringType.FullName != "TorchSharp.Scalar" && MakesScalar(m) && !DisposesScalar(m))
            .ToHashSet();
        for (var grew = true; grew;)
        {
            var callers = methods.Where(m => !flagged.Contains(m) && m.Body.Instructions.Any(i => Calls(i, flagged))).ToList();
            flagged.UnionWith(callers);
            grew = callers.Count > 0;
        }

        flagged.UnionWith(BasesOfFlaggedOverrides(methods, flagged));
        return new SortedSet<string>(flagged.Where(IsPublic).Select(DocumentationId), StringComparer.Ordinal);
    }

    // A call through a base type (optim.Optimizer.step) is flagged when most TorchSharp overrides of it are: all optimizers'
    // steps but LBFGS's make Scalars, while Module.forward is left alone because most modules' forwards do not.
    private static IEnumerable<MethodDefinition> BasesOfFlaggedOverrides(List<MethodDefinition> methods, HashSet<MethodDefinition> flagged)
    {
        var overrides = methods.Where(m => m.IsVirtual && !m.IsNewSlot)
            .Select(m => (Override: m, Base: m.GetBaseMethod()))
            .Where(p => p.Base != p.Override && p.Base.Module == p.Override.Module)
            .GroupBy(p => p.Base);
        return overrides.Where(g => 2 * g.Count(p => flagged.Contains(p.Override)) > g.Count()).Select(g => g.Key).ToList();
    }

    private static IEnumerable<TypeDefinition> Nested(TypeDefinition type) => new[] { type }.Concat(type.NestedTypes.SelectMany(Nested));

    private static bool MakesScalar(MethodDefinition method) => method.Body.Instructions.Any(i => i.Operand is MethodReference r &&
        (r.DeclaringType.FullName == "TorchSharp.Scalar" && r.Name == "op_Implicit"
            || r.DeclaringType.FullName == "TorchSharp.ScalarExtensionMethods" && r.Name == "ToScalar"));

    private static bool DisposesScalar(MethodDefinition method) => method.Body.Instructions.Any(i => i.Operand is MethodReference r &&
        r.DeclaringType.FullName == "TorchSharp.Scalar" && r.Name == "Dispose");

    private static bool Calls(Instruction instruction, HashSet<MethodDefinition> targets) =>
        (instruction.OpCode == OpCodes.Call || instruction.OpCode == OpCodes.Callvirt || instruction.OpCode == OpCodes.Newobj
            || instruction.OpCode == OpCodes.Ldftn)
        && instruction.Operand is MethodReference reference && Local(reference) is { } target && targets.Contains(target);

    // Only TorchSharp's own methods are followed; references into other assemblies are not resolved.
    private static MethodDefinition? Local(MethodReference reference)
    {
        var type = reference.DeclaringType is GenericInstanceType generic ? generic.ElementType : reference.DeclaringType;
        return type.Scope is ModuleDefinition ? reference.Resolve() : null;
    }

    private static bool IsPublic(MethodDefinition method)
    {
        for (var type = method.DeclaringType; type is not null; type = type.DeclaringType)
        {
            if (!(type.IsPublic || type.IsNestedPublic))
            {
                return false;
            }
        }

        return method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;
    }

    // The C# compiler's documentation-comment id (what IMethodSymbol.GetDocumentationCommentId returns).
    private static string DocumentationId(MethodDefinition method)
    {
        var name = method.IsConstructor ? (method.IsStatic ? "#cctor" : "#ctor") : method.Name.Replace('.', '#');
        var arity = method.HasGenericParameters ? $"``{method.GenericParameters.Count}" : "";
        var parameters = method.HasParameters ? $"({string.Join(",", method.Parameters.Select(p => TypeId(p.ParameterType)))})" : "";
        var conversion = method.Name is "op_Implicit" or "op_Explicit" ? $"~{TypeId(method.ReturnType)}" : "";
        return $"M:{TypeName(method.DeclaringType)}.{name}{arity}{parameters}{conversion}";
    }

    private static string TypeName(TypeReference type) =>
        type.DeclaringType is { } outer ? $"{TypeName(outer)}.{type.Name}" : $"{type.Namespace}.{type.Name}".TrimStart('.');

    private static string TypeId(TypeReference type) => type switch
    {
        GenericParameter { Type: GenericParameterType.Method } p => $"``{p.Position}",
        GenericParameter p => $"`{p.Position}",
        ByReferenceType r => TypeId(r.ElementType) + "@",
        PointerType p => TypeId(p.ElementType) + "*",
        ArrayType { Rank: 1 } a => TypeId(a.ElementType) + "[]",
        ArrayType a => TypeId(a.ElementType) + $"[{string.Join(",", Enumerable.Repeat("0:", a.Rank))}]",
        RequiredModifierType m => TypeId(m.ElementType),
        OptionalModifierType m => TypeId(m.ElementType),
        GenericInstanceType g => GenericName(g),
        _ => TypeName(type),
    };

    // Generic arguments belong to the declaring types they are written on: Outer`1.Inner`1 with [A, B] is Outer{A}.Inner{B}.
    private static string GenericName(GenericInstanceType generic)
    {
        var arguments = new Queue<TypeReference>(generic.GenericArguments);
        string Name(TypeReference type)
        {
            var prefix = type.DeclaringType is { } outer ? Name(outer) + "." : (type.Namespace.Length > 0 ? type.Namespace + "." : "");
            var own = type.GenericParameters.Count - (type.DeclaringType?.GenericParameters.Count ?? 0);
            var tick = type.Name.IndexOf('`', StringComparison.Ordinal);
            if (own <= 0 || tick < 0)
            {
                return prefix + type.Name;
            }

            var taken = Enumerable.Range(0, own).Select(_ => TypeId(arguments.Dequeue()));
            return $"{prefix}{type.Name[..tick]}{{{string.Join(",", taken)}}}";
        }

        // Outer types' arguments come first in the list, so resolve from the outermost type in.
        return Name(generic.ElementType);
    }
}
