using System.Collections.Immutable;
using System.Management.Automation;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;

namespace LossLandscape.PowerShell.Tests;

/// <summary>
/// The layering the design depends on, read from the built assemblies' metadata (nothing is loaded,
/// so TorchSharp's native libraries play no part): cmdlets bind, report and emit, the core computes.
/// </summary>
public sealed class ArchitectureTests
{
    private static string BuiltAssembly(string name) => Path.Combine(ModuleRunspace.ModuleDirectory, "bin", name + ".dll");

    [Fact]
    public void NoMethodOfTheCmdletAssemblyTouchesTorchSharp()
    {
        var references = IlReferences.Of(BuiltAssembly("LossLandscape.PowerShell"));

        var torch = references.Where(r => r.Type.Assembly == "TorchSharp").Select(r => $"{r.Method} uses {r.Type.FullName}").Distinct().ToArray();
        Assert.True(torch.Length == 0, "Cmdlets reach into TorchSharp (a model or tensor belongs in LossLandscape.Core):\n" + string.Join("\n", torch));

        // The scan must see the calls it exists to police, or an empty result would prove nothing.
        var core = references.Where(r => r.Type.Assembly == "LossLandscape.Core").ToArray();
        Assert.Contains(core, r => r.Method == "GetHessianSpectrumCommand.ProcessRecord" && r.Type.FullName == "LossLandscape.Core.Curvature.HessianAnalysis");
        Assert.Contains(core, r => r.Method == "ImportLandscapeDirectionCommand.Read" && r.Type.FullName == "LossLandscape.Core.Checkpoints.ParameterLayout");
        Assert.Contains(core, r => r.Type.FullName == "LossLandscape.Core.Checkpoints.CheckpointStore");
        Assert.True(references.Select(r => r.Method).Distinct().Count() > 200, "The scan read too few method bodies to be trusted.");
    }

    [Fact]
    public void NoCmdletLoadsAModel()
    {
        var loads = IlReferences.Of(BuiltAssembly("LossLandscape.PowerShell"))
            .Where(r => r.Type.FullName == "LossLandscape.Core.Checkpoints.CheckpointStore" && r.Member == "LoadModel")
            .Select(r => r.Method)
            .ToArray();

        Assert.Empty(loads);
    }

    [Fact]
    public void CoreKnowsNothingOfPowerShellPlottingNothingOfTorchOrCoreAndCmdletsNothingOfTorch()
    {
        var core = ReferencedAssemblies("LossLandscape.Core");
        var plotting = ReferencedAssemblies("LossLandscape.Plotting");
        var cmdlets = ReferencedAssemblies("LossLandscape.PowerShell");

        Assert.Contains("TorchSharp", core);
        Assert.DoesNotContain("System.Management.Automation", core);
        Assert.Contains("ScottPlot", plotting);
        Assert.DoesNotContain("TorchSharp", plotting);
        Assert.DoesNotContain("LossLandscape.Core", plotting);
        Assert.Contains("System.Management.Automation", cmdlets);
        Assert.Contains("LossLandscape.Core", cmdlets);
        Assert.DoesNotContain("TorchSharp", cmdlets);
    }

    /// <summary>
    /// Core never names a cmdlet in its strings: text naming cmdlets is how data used to climb back from
    /// the core into PowerShell (generated scripts). Every string literal of the built Core assembly
    /// (its user-string heap) is checked for an approved verb, a hyphen and a capitalised noun.
    /// </summary>
    [Fact]
    public void NoStringLiteralOfCoreNamesACmdlet()
    {
        var verbs = new[] { typeof(VerbsCommon), typeof(VerbsCommunications), typeof(VerbsData), typeof(VerbsDiagnostic), typeof(VerbsLifecycle), typeof(VerbsSecurity), typeof(VerbsOther) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)).Select(f => (string)f.GetValue(null)!).ToArray();
        var cmdletName = new Regex($@"\b({string.Join('|', verbs)})-[A-Z][A-Za-z]+", RegexOptions.CultureInvariant);
        Assert.Matches(cmdletName, "use Merge-LossSurface then");

        using var pe = new PEReader(File.OpenRead(BuiltAssembly("LossLandscape.Core")));
        var metadata = pe.GetMetadataReader();
        var literals = new List<string>();
        for (var handle = MetadataTokens.UserStringHandle(1); !handle.IsNil; handle = metadata.GetNextHandle(handle))
            literals.Add(metadata.GetUserString(handle));

        Assert.True(literals.Count > 500, $"Only {literals.Count} string literals were read from Core.");
        Assert.Contains(literals, l => l.Contains("-Dataset", StringComparison.Ordinal));
        var naming = literals.Where(l => cmdletName.IsMatch(l)).ToArray();
        Assert.True(naming.Length == 0, "Core strings name cmdlets:\n" + string.Join("\n", naming));
    }

    /// <summary>What <see cref="Assembly.GetReferencedAssemblies"/> returns, read without loading the assembly.</summary>
    private static string[] ReferencedAssemblies(string name)
    {
        using var pe = new PEReader(File.OpenRead(BuiltAssembly(name)));
        var metadata = pe.GetMetadataReader();
        return metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToArray();
    }

    private sealed record TypeOrigin(string Assembly, string FullName);

    /// <param name="Method">The referring method, as <c>Type.Method</c>.</param>
    /// <param name="Member">The member referred to; empty when only a type is.</param>
    private sealed record IlReference(string Method, TypeOrigin Type, string Member);

    /// <summary>
    /// Every type a method's IL names: the owners of called, created and loaded members, the types in
    /// their signatures and generic instantiations, ldtoken/castclass/box operands, locals and catch clauses.
    /// </summary>
    private sealed class IlReferences : ISignatureTypeProvider<ImmutableArray<TypeOrigin>, object?>
    {
        private static readonly Dictionary<ushort, OperandType> Operands = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(op => (ushort)op.Value, op => op.OperandType);

        private readonly MetadataReader metadata;
        private readonly string self;

        private IlReferences(MetadataReader metadata)
        {
            this.metadata = metadata;
            self = metadata.GetString(metadata.GetAssemblyDefinition().Name);
        }

        public static List<IlReference> Of(string path)
        {
            using var pe = new PEReader(File.OpenRead(path));
            var scanner = new IlReferences(pe.GetMetadataReader());
            var found = new List<IlReference>();
            foreach (var handle in scanner.metadata.MethodDefinitions)
            {
                var method = scanner.metadata.GetMethodDefinition(handle);
                var name = $"{scanner.metadata.GetString(scanner.metadata.GetTypeDefinition(method.GetDeclaringType()).Name)}.{scanner.metadata.GetString(method.Name)}";
                foreach (var origin in Types(method.DecodeSignature(scanner, null)))
                    found.Add(new IlReference(name, origin, ""));
                if (method.RelativeVirtualAddress == 0) continue;
                var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                foreach (var (origin, member) in scanner.Body(body))
                    found.Add(new IlReference(name, origin, member));
            }
            return found;
        }

        private IEnumerable<(TypeOrigin Type, string Member)> Body(MethodBodyBlock body)
        {
            if (!body.LocalSignature.IsNil)
            {
                foreach (var origin in metadata.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null).SelectMany(t => t))
                    yield return (origin, "");
            }
            foreach (var region in body.ExceptionRegions.Where(r => !r.CatchType.IsNil))
            {
                foreach (var origin in Token(region.CatchType)) yield return origin;
            }
            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                ushort code = il.ReadByte();
                if (code == 0xFE) code = (ushort)(0xFE00 | il.ReadByte());
                switch (Operands[code])
                {
                    case OperandType.InlineField:
                    case OperandType.InlineMethod:
                    case OperandType.InlineSig:
                    case OperandType.InlineTok:
                    case OperandType.InlineType:
                        foreach (var origin in Token(MetadataTokens.EntityHandle(il.ReadInt32()))) yield return origin;
                        break;
                    case OperandType.InlineSwitch:
                        il.Offset += 4 * il.ReadInt32();
                        break;
                    case OperandType.InlineI8:
                    case OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineBrTarget:
                    case OperandType.InlineI:
                    case OperandType.InlineString:
                    case OperandType.ShortInlineR:
                        il.Offset += 4;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.ShortInlineBrTarget:
                    case OperandType.ShortInlineI:
                    case OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                }
            }
        }

        private IEnumerable<(TypeOrigin Type, string Member)> Token(EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                case HandleKind.TypeReference:
                case HandleKind.TypeSpecification:
                    return TypeOf(handle).Select(t => (t, ""));
                case HandleKind.MemberReference:
                {
                    var member = metadata.GetMemberReference((MemberReferenceHandle)handle);
                    var name = metadata.GetString(member.Name);
                    var owners = member.Parent.Kind is HandleKind.TypeDefinition or HandleKind.TypeReference or HandleKind.TypeSpecification
                        ? TypeOf(member.Parent)
                        : [new TypeOrigin(self, "<module>")];
                    var signature = member.GetKind() == MemberReferenceKind.Method
                        ? Types(member.DecodeMethodSignature(this, null))
                        : member.DecodeFieldSignature(this, null);
                    return owners.Select(t => (t, name)).Concat(signature.Select(t => (t, "")));
                }
                case HandleKind.MethodDefinition:
                {
                    var method = metadata.GetMethodDefinition((MethodDefinitionHandle)handle);
                    return TypeOf(method.GetDeclaringType()).Select(t => (t, metadata.GetString(method.Name)))
                        .Concat(Types(method.DecodeSignature(this, null)).Select(t => (t, "")));
                }
                case HandleKind.FieldDefinition:
                {
                    var field = metadata.GetFieldDefinition((FieldDefinitionHandle)handle);
                    return TypeOf(field.GetDeclaringType()).Select(t => (t, metadata.GetString(field.Name)))
                        .Concat(field.DecodeSignature(this, null).Select(t => (t, "")));
                }
                case HandleKind.MethodSpecification:
                {
                    var instance = metadata.GetMethodSpecification((MethodSpecificationHandle)handle);
                    return Token(instance.Method).Concat(instance.DecodeSignature(this, null).SelectMany(t => t).Select(t => (t, "")));
                }
                case HandleKind.StandaloneSignature:
                {
                    return Types(metadata.GetStandaloneSignature((StandaloneSignatureHandle)handle).DecodeMethodSignature(this, null)).Select(t => (t, ""));
                }
                default:
                    throw new InvalidOperationException($"An IL token of kind {handle.Kind} was not expected.");
            }
        }

        private static IEnumerable<TypeOrigin> Types(MethodSignature<ImmutableArray<TypeOrigin>> signature) =>
            signature.ParameterTypes.Prepend(signature.ReturnType).SelectMany(t => t);

        private ImmutableArray<TypeOrigin> TypeOf(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.TypeDefinition => GetTypeFromDefinition(metadata, (TypeDefinitionHandle)handle, 0),
            HandleKind.TypeReference => GetTypeFromReference(metadata, (TypeReferenceHandle)handle, 0),
            _ => GetTypeFromSpecification(metadata, null, (TypeSpecificationHandle)handle, 0),
        };

        public ImmutableArray<TypeOrigin> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeDefinition(handle);
            return [new TypeOrigin(self, $"{reader.GetString(type.Namespace)}.{reader.GetString(type.Name)}")];
        }

        public ImmutableArray<TypeOrigin> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeReference(handle);
            var name = $"{reader.GetString(type.Namespace)}.{reader.GetString(type.Name)}";
            // A nested type's scope is its enclosing type; the assembly is that type's.
            var scope = type.ResolutionScope;
            while (scope.Kind == HandleKind.TypeReference)
            {
                var enclosing = reader.GetTypeReference((TypeReferenceHandle)scope);
                name = $"{reader.GetString(enclosing.Namespace)}.{reader.GetString(enclosing.Name)}/{name.TrimStart('.')}";
                scope = enclosing.ResolutionScope;
            }
            var assembly = scope.Kind == HandleKind.AssemblyReference
                ? reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)scope).Name)
                : self;
            return [new TypeOrigin(assembly, name)];
        }

        public ImmutableArray<TypeOrigin> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public ImmutableArray<TypeOrigin> GetGenericInstantiation(ImmutableArray<TypeOrigin> genericType, ImmutableArray<ImmutableArray<TypeOrigin>> typeArguments) =>
            genericType.AddRange(typeArguments.SelectMany(t => t));

        public ImmutableArray<TypeOrigin> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeOrigin>> signature) => [.. Types(signature)];

        public ImmutableArray<TypeOrigin> GetModifiedType(ImmutableArray<TypeOrigin> modifier, ImmutableArray<TypeOrigin> unmodifiedType, bool isRequired) => unmodifiedType;

        public ImmutableArray<TypeOrigin> GetArrayType(ImmutableArray<TypeOrigin> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<TypeOrigin> GetSZArrayType(ImmutableArray<TypeOrigin> elementType) => elementType;

        public ImmutableArray<TypeOrigin> GetByReferenceType(ImmutableArray<TypeOrigin> elementType) => elementType;

        public ImmutableArray<TypeOrigin> GetPointerType(ImmutableArray<TypeOrigin> elementType) => elementType;

        public ImmutableArray<TypeOrigin> GetPinnedType(ImmutableArray<TypeOrigin> elementType) => elementType;

        public ImmutableArray<TypeOrigin> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];

        public ImmutableArray<TypeOrigin> GetGenericMethodParameter(object? genericContext, int index) => [];

        public ImmutableArray<TypeOrigin> GetGenericTypeParameter(object? genericContext, int index) => [];
    }
}
