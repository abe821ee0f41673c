import Foundation
import VigilConfig
import VigilModel
import VigilWorkload

/// Turns autodiscovery templates into concrete check configurations for one
/// container: picks the templates that match it (by image identifier, or
/// those its labels declare), substitutes template variables, and adds the
/// container's tags to every instance.
struct TemplateResolver {
    let templates: [CheckConfig]
    let tagger: TagProvider

    struct Resolution {
        var configs: [CheckConfig] = []
        var errors: [String] = []
    }

    func resolve(_ container: Container) -> Resolution {
        var out = Resolution()
        let facts = ContainerFacts(container: container)
        let identifiers = facts.identifiers
        var candidates = templates.filter { !$0.adIdentifiers.isEmpty && !identifiers.isDisjoint(with: $0.adIdentifiers) }
        do {
            candidates += try ContainerCheckLabels.templates(labels: container.labels, containerID: container.id)
        } catch {
            out.errors.append(error.description)
        }
        let tags = tagger.tags(forEntity: "container_id://\(container.id)", cardinality: .low) ?? []
        for template in candidates {
            var config = template
            config.instances = []
            for instance in template.instances {
                do {
                    let node = try TemplateVariables.resolve(instance.node, facts.value(of:))
                    var resolved = try CheckConfig.parseInstance(node, checkName: template.checkName,
                                                                 initConfig: template.initConfig, file: template.sourceFile)
                    resolved.tags = Tags.normalized(resolved.tags + tags)
                    resolved.id = "\(template.checkName):\(container.id.prefix(12)):\(resolved.id.split(separator: ":").last ?? "")"
                    config.instances.append(resolved)
                } catch {
                    out.errors.append("\(template.sourceFile): container \(container.id.prefix(12)): \(error)")
                }
            }
            if !config.instances.isEmpty { out.configs.append(config) }
        }
        return out
    }
}
