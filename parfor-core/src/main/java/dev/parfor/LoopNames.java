package dev.parfor;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Names unnamed loops after the method that called into parfor, in lower-case kebab form so that the name works as a
 * property key as written: {@code ReportService.renderAll} becomes {@code report-service-render-all}.
 *
 * <p>Walking the stack costs microseconds, more than a small loop, so the name is cached per body class when that
 * class belongs to one call site: a lambda written inside a method. A body that may be shared by several call sites
 * (a lambda held in a constant, a method reference, a named class) is named by walking the stack every time, so two
 * methods sharing one constant body get two names.
 */
final class LoopNames {

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private static final ClassValue<Site> SITES = new ClassValue<>() {
        @Override
        protected Site computeValue(Class<?> type) {
            return new Site();
        }
    };

    private LoopNames() {}

    /** A body class: whether it belongs to one call site (decided on first sight), and then its loop's name. */
    private static final class Site {
        volatile @Nullable Boolean oneCallSite;
        volatile @Nullable String name;
    }

    static String callerName(@Nullable Object body) {
        if (body == null) {
            return walk();
        }
        Site site = SITES.get(body.getClass());
        Boolean one = site.oneCallSite;
        if (one == null) {
            one = isWrittenInAMethod(body);
            site.oneCallSite = one;
        }
        if (!one) {
            return walk();
        }
        String name = site.name;
        if (name == null) {
            name = walk();
            site.name = name;
        }
        return name;
    }

    /**
     * Whether a body is a lambda written inside a method: its implementation method is {@code lambda$<method>$<n>}.
     * Lambdas of field initializers and static blocks ({@code lambda$new$..}, {@code lambda$static$..}), method
     * references and named classes may serve several call sites.
     */
    private static boolean isWrittenInAMethod(Object body) {
        Class<?> type = body.getClass();
        if (!type.isSynthetic() && !type.isHidden()) {
            return false;
        }
        try {
            Method writeReplace = type.getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            String impl = ((SerializedLambda) writeReplace.invoke(body)).getImplMethodName();
            return impl.startsWith("lambda$") && !impl.startsWith("lambda$new$") && !impl.startsWith("lambda$static$");
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static String walk() {
        return WALKER.walk(frames -> frames.filter(
                                f -> !f.getDeclaringClass().getPackageName().equals("dev.parfor"))
                        .findFirst())
                .map(f -> {
                    String method = f.getMethodName();
                    if (method.startsWith("lambda$")) {
                        int end = method.indexOf('$', 7);
                        method = end > 7 ? method.substring(7, end) : method;
                    }
                    String type = f.getDeclaringClass().getSimpleName();
                    if (type.isEmpty()) {
                        type = f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1);
                    }
                    return kebab(type) + "-" + kebab(method);
                })
                .orElse("parfor");
    }

    /** {@code renderAll} and {@code ReportService} to {@code render-all} and {@code report-service}. */
    static String kebab(String camel) {
        StringBuilder out = new StringBuilder(camel.length() + 8);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                boolean boundary = i > 0
                        && (Character.isLowerCase(camel.charAt(i - 1))
                                || Character.isDigit(camel.charAt(i - 1))
                                || (i + 1 < camel.length() && Character.isLowerCase(camel.charAt(i + 1))));
                if (boundary && out.length() > 0 && out.charAt(out.length() - 1) != '-') {
                    out.append('-');
                }
                out.append(Character.toLowerCase(c));
            } else if (Character.isLetterOrDigit(c)) {
                out.append(c);
            } else if (out.length() > 0 && out.charAt(out.length() - 1) != '-') {
                out.append('-');
            }
        }
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == '-') {
            end--;
        }
        return out.substring(0, end).toLowerCase(Locale.ROOT);
    }
}
