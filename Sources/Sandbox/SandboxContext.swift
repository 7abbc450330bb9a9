import Hummingbird
import NIOCore

/// The request context, with the connection: the drop-after-create fault closes it without an answer.
struct SandboxContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The sandbox enforces its own cap (`maxBodyBytes`) and answers 413 in the API's error shape.
    var maxUploadSize: Int { 64 << 20 }
}
