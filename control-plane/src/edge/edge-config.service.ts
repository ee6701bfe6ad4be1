import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiError } from '../common/api-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { isUuid } from '../common/db-errors.js';
import { NodeEntity } from '../nodes/node.entity.js';
import { StreamEntity } from '../streams/stream.entity.js';
import { EdgeConfigInput, hostAndPort, renderEdgeConfig } from './edge-config.js';
import { enabledEdges } from './edge-nodes.js';
import { renderOriginConfig } from './origin-config.js';
import { NodeConfigError } from './signed-access-config.js';
import { SigningKeysService } from './signing/signing-keys.service.js';

/** Where an edge keeps its files; defaults suit the official nginx image. */
export interface EdgePaths {
  cacheDir: string;
  njsDir: string;
  accessLog: string;
  cacheMaxSize: string;
}

/** Where an origin serves from and listens. */
export interface OriginPaths {
  njsDir: string;
  mediaRoot: string;
  /** nginx `listen` value. */
  listen: string;
}

export const CONTAINER_ORIGIN_PATHS: OriginPaths = { njsDir: '/etc/nginx/njs', mediaRoot: '/media', listen: '8080' };

export const CONTAINER_EDGE_PATHS: EdgePaths = {
  cacheDir: '/var/cache/nginx/hls',
  njsDir: '/etc/nginx/njs',
  accessLog: '/var/log/nginx/hls-access.log',
  cacheMaxSize: '5g',
};

/** Builds a node's nginx server config from the database: origins, signed streams, keys, trusted edges. */
@Injectable()
export class EdgeConfigService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly signingKeys: SigningKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async node(ref: string): Promise<NodeEntity> {
    const node = await this.dataSource.manager.findOne(NodeEntity, {
      where: isUuid(ref) ? { id: ref.toLowerCase() } : { name: ref },
      select: { id: true, name: true, role: true, baseUrl: true, internalUrl: true, enabled: true, controlToken: true },
    });
    if (!node) throw ApiError.notFound('node', ref);
    return node;
  }

  async edgeNode(ref: string): Promise<NodeEntity> {
    const node = await this.node(ref);
    if (node.role !== 'edge') throw ApiError.conflict('role', `node "${node.name}" is an ${node.role}, not an edge`);
    return node;
  }

  /** An origin's config: the streams it must refuse without a token, and the edges it believes about viewers. */
  async renderOrigin(paths: OriginPaths): Promise<string> {
    const manager = this.dataSource.manager;
    const signed = await manager.find(StreamEntity, { select: { key: true }, where: { signedUrls: true }, order: { key: 'ASC' } });
    const edges = await enabledEdges(manager, { withControlToken: true });
    return renderOriginConfig({
      ...paths,
      controlPlaneAddress: this.config.controlPlaneAddress,
      signedStreams: signed.map((s) => s.key),
      signingKeys: await this.signingKeys.verifyingKeys(),
      trustedEdgeTokens: edges.map((e) => e.controlToken),
    });
  }

  /** The inputs for one edge; `port` defaults to the port of the node's base URL. */
  async inputFor(node: NodeEntity, paths: EdgePaths, port?: number): Promise<EdgeConfigInput> {
    const manager = this.dataSource.manager;
    const origins = await manager.find(NodeEntity, { where: { role: 'origin', enabled: true }, order: { name: 'ASC' } });
    const streams = await manager.find(StreamEntity, { select: { key: true, signedUrls: true, renditions: true }, order: { key: 'ASC' } });
    const url = new URL(node.baseUrl);
    return {
      name: node.name,
      port: port ?? (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80),
      ...paths,
      origins: origins.map((o) => hostAndPort(o.baseUrl)),
      signedStreams: streams.filter((s) => s.signedUrls).map((s) => s.key),
      ladders: streams.map((s) => ({ key: s.key, kbps: s.renditions.map((r) => r.videoKbps) })),
      signingKeys: await this.signingKeys.verifyingKeys(),
      controlToken: node.controlToken,
      controlPlaneAddress: this.config.controlPlaneAddress,
    };
  }

  async render(node: NodeEntity, paths: EdgePaths, port?: number): Promise<string> {
    return renderEdgeConfig(await this.inputFor(node, paths, port));
  }

  /** For the API: a config that cannot be rendered is a 409 that says why. */
  async renderForApi(node: NodeEntity, edgePaths: EdgePaths, originPaths: OriginPaths): Promise<string> {
    try {
      return node.role === 'origin' ? await this.renderOrigin(originPaths) : await this.render(node, edgePaths);
    } catch (error) {
      if (error instanceof NodeConfigError) throw ApiError.conflict('node', error.message);
      throw error;
    }
  }
}
