@testable import AttacheTUI
import Foundation
import Testing

/// Named themes found in folders (the user's, the installed ones) before the built-in ones.
@Suite("Theme folders")
struct ThemeSearchTests {
    /// A fresh folder for one test, removed by `body`'s end.
    func withFolder(_ body: (String) throws -> Void) throws {
        let folder = NSTemporaryDirectory() + "attache-themes-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try body(folder)
    }

    @Test func aNameIsLookedForInTheFoldersFirstThenAmongTheBuiltinOnes() throws {
        try withFolder { folder in
            let mine = folder + "/mine"
            let installed = folder + "/installed"
            for directory in [mine, installed] { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            try "normal = red default\n".write(toFile: installed + "/plain.theme", atomically: true, encoding: .utf8)
            try "normal = green default\n".write(toFile: installed + "/default.theme", atomically: true, encoding: .utf8)
            try "normal = blue default\n".write(toFile: mine + "/default.theme", atomically: true, encoding: .utf8)
            let folders = [mine, installed, folder + "/missing"]

            #expect(try Theme.load("plain", searching: folders).style(for: .normal).foreground == .index(1))
            // The first folder wins, and a file beats the built-in theme of its name.
            #expect(try Theme.load("default", searching: folders).style(for: .normal).foreground == .index(4))
            #expect(try Theme.load("default", searching: [installed]).style(for: .normal).foreground == .index(2))
            #expect(try Theme.load("light", searching: folders) == Theme.load("light"))
            #expect(Theme.availableNames(searching: folders) == ["default", "high-contrast", "light", "monochrome", "plain"])
            #expect(throws: ThemeError(message: "no theme 'neon'; try one of default, high-contrast, light, monochrome, plain, or a path to a .theme file")) {
                try Theme.load("neon", searching: folders)
            }
        }
    }

    /// Without colour (NO_COLOR), what a background marked is marked in reverse video: the
    /// selected row of every built-in theme still stands out.
    @Test func withoutColourTheSelectionIsInReverseVideo() throws {
        for name in Theme.builtinNames {
            let style = try Theme.load(name).style(for: .selection).withoutColor
            #expect(style.reverse, "\(name)")
            #expect(style.foreground == .terminalDefault && style.background == .terminalDefault)
        }
        // What had no background keeps its attributes only.
        #expect(try Theme.load("default").style(for: .normal).withoutColor.reverse == false)
    }

    @Test func aBrokenFileInAFolderIsReportedNotSkipped() throws {
        try withFolder { folder in
            try "normal = pink default\n".write(toFile: folder + "/light.theme", atomically: true, encoding: .utf8)
            #expect(throws: ThemeError(message: "light, line 1: 'pink default' does not start with two colours")) {
                try Theme.load("light", searching: [folder])
            }
        }
    }

    @Test func theFoldersAreTheUsersThenTheOnesBesideTheBinary() {
        #expect(
            Theme.searchDirectories(environment: ["XDG_CONFIG_HOME": "/x/config", "HOME": "/home/u"], executable: "/opt/tools/bin/attache")
                == ["/x/config/attache/themes", "/opt/tools/share/attache/themes"])
        // A relative XDG_CONFIG_HOME is ignored, as the XDG rules say.
        #expect(
            Theme.searchDirectories(environment: ["XDG_CONFIG_HOME": "config", "HOME": "/home/u"], executable: "/usr/bin/attache")
                == ["/home/u/.config/attache/themes", "/usr/share/attache/themes"])
        #expect(Theme.searchDirectories(environment: [:], executable: nil) == [])
    }
}
